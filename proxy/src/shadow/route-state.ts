import type { MismatchRecord, SkipReason } from '../types.js';
import { NoiseLearner } from './noise.js';
import type { RouteShadow } from './settings.js';
import { SampleWindow } from './window.js';

/** Everything measured for one route; kept by route id across reloads and switches. */
export class RouteShadowState {
  compared = 0;
  matched = 0;
  mismatched = 0;
  explainedByNoise = 0;
  /** Noise calls started (the warm-up takes the first ones regardless of the sample). */
  noiseCalls = 0;
  readonly skipped = new Map<SkipReason, number>();
  readonly window = new SampleWindow();
  readonly mismatches: MismatchRecord[] = [];
  noise: NoiseLearner;
  /** The stage the window counts (`shadow`, `canary:10`, ...), and since when. */
  stage = '';
  stageSince = Date.now();

  constructor(settings: RouteShadow) {
    this.noise = new NoiseLearner(settings.noise.enabled, settings.noise.margin);
  }

  /** Follows a new table: a new stage restarts the window; a change of noise settings, the learner. */
  update(settings: RouteShadow, now = Date.now()): void {
    const { mode, percent } = settings.route;
    const stage = mode === 'canary' ? `canary:${percent ?? 0}` : mode;
    if (stage !== this.stage) {
      this.stage = stage;
      this.stageSince = now;
    }
    if (this.noise.enabled !== settings.noise.enabled) {
      this.noise = new NoiseLearner(settings.noise.enabled, settings.noise.margin);
    }
  }

  skip(reason: SkipReason): void {
    this.skipped.set(reason, (this.skipped.get(reason) ?? 0) + 1);
  }

  keep(record: MismatchRecord, limit: number): void {
    if (limit <= 0) return;
    this.mismatches.push(record);
    while (this.mismatches.length > limit) this.mismatches.shift();
  }
}
