import type { Reader } from '../protocol/reader.js';
import type { Writer } from '../protocol/writer.js';
import type { BrokerState } from '../server/state.js';

export interface RequestContext {
  readonly state: BrokerState;
  readonly clientId: string;
  /** Remote address of the connection, as DescribeGroups reports it. */
  readonly clientHost: string;
  /** Aborted when the connection closes or the broker stops: long-running requests end early. */
  readonly signal: AbortSignal;
}

/** One Kafka API at the one version this broker serves (kafkajs 2.2.4's highest). */
export interface ApiHandler {
  readonly key: number;
  readonly name: string;
  readonly version: number;
  /** Reads the request body and returns the response body, or null when none is sent (acks=0). */
  handle(req: Reader, ctx: RequestContext): Writer | null | Promise<Writer | null>;
}
