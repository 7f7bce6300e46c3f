import type { KafkaErrorCode } from '../errors.js';

/** Group states as Kafka names them (DescribeGroups returns these strings). */
export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface Protocol {
  name: string;
  metadata: Buffer;
}

export interface JoinRequest {
  memberId: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Protocol[];
}

export interface JoinResult {
  error: KafkaErrorCode;
  generationId: number;
  protocol: string;
  leaderId: string;
  memberId: string;
  /** Only the leader receives the members and their metadata, to compute the assignment. */
  members: Array<{ memberId: string; metadata: Buffer }>;
}

export interface SyncResult {
  error: KafkaErrorCode;
  assignment: Buffer;
}

export interface Member {
  id: string;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocols: Protocol[];
  assignment: Buffer;
  /** Set while the member waits for the join phase to complete. */
  awaitingJoin?: (result: JoinResult) => void;
  /** Set while the member waits for the leader's assignment. */
  awaitingSync?: (result: SyncResult) => void;
  sessionTimer?: NodeJS.Timeout;
}
