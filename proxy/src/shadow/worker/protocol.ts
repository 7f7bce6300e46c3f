import type {
  CapturedRequest,
  CapturedResponse,
  NoiseReport,
  ProxyConfig,
  Role,
} from '../../types.js';
import type { JobOutcome } from '../job.js';

/** The part of an exchange a comparison needs; bodies travel as transferred copies. */
export interface ShadowExchange {
  route: string;
  servedBy: Role;
  request: CapturedRequest;
  response: CapturedResponse;
}

/** One exchange handed over; `queuedAt` is `clock()` when the client's answer was captured. */
export interface ShadowJob {
  id: number;
  exchange: ShadowExchange;
  queuedAt: number;
}

/** One job's answer. */
export interface ShadowResult {
  id: number;
  route: string;
  outcome: JobOutcome;
}

/** Client loop -> shadow thread. */
export type ToShadow =
  | { kind: 'config'; config: ProxyConfig; version: string; store: boolean }
  | { kind: 'jobs'; jobs: ShadowJob[] }
  | { kind: 'close' };

/** What the shadow thread says about its own load, a few times a second while it works. */
export interface ShadowLoad {
  /** Share of the last interval its event loop spent running code (0-1). */
  utilization: number;
  /** Jobs waiting in the thread and jobs sending or comparing. */
  queued: number;
  active: number;
  /** Shadow upstreams (origins) not tried until the epoch ms given: they could not be reached. */
  paused: Record<string, number>;
}

/** Shadow thread -> client loop. */
export type FromShadow =
  | { kind: 'done'; results: ShadowResult[] }
  | { kind: 'load'; load: ShadowLoad }
  | { kind: 'noise'; route: string; report: NoiseReport }
  | { kind: 'ready' }
  | { kind: 'closed' };
