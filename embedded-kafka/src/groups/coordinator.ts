import { KafkaErrorCode } from '../errors.js';
import type { OffsetStore } from '../storage/offset-store.js';
import type { TopicStore } from '../storage/topic-store.js';
import type { Logger } from '../types.js';
import { Group } from './group.js';
import type { GroupState, JoinRequest, JoinResult, Member, SyncResult } from './types.js';

export interface CoordinatorOptions {
  minSessionTimeoutMs: number;
  maxSessionTimeoutMs: number;
  initialRebalanceDelayMs: number;
  maxOffsetMetadataBytes: number;
  logger: Logger;
}

export interface GroupSummary {
  groupId: string;
  state: GroupState;
  protocolType: string;
  protocol: string;
  members: Array<
    Pick<Member, 'id' | 'clientId' | 'clientHost'> & { metadata: Buffer; assignment: Buffer }
  >;
}

const EMPTY = Buffer.alloc(0);

/** The group coordinator: every consumer group on this broker, and their committed offsets. */
export class Coordinator {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly offsets: OffsetStore,
    private readonly topics: TopicStore,
    private readonly options: CoordinatorOptions,
  ) {}

  join(groupId: string, req: JoinRequest): Promise<JoinResult> | JoinResult {
    const fail = (error: KafkaErrorCode): JoinResult => ({
      error,
      generationId: -1,
      protocol: '',
      leaderId: '',
      memberId: req.memberId,
      members: [],
    });
    if (groupId === '') return fail(KafkaErrorCode.INVALID_GROUP_ID);
    const { minSessionTimeoutMs: min, maxSessionTimeoutMs: max } = this.options;
    if (req.sessionTimeoutMs < min || req.sessionTimeoutMs > max) {
      this.options.logger.warn(
        `group ${groupId}: rejected session timeout ${req.sessionTimeoutMs} ms (allowed ${min}-${max} ms)`,
      );
      return fail(KafkaErrorCode.INVALID_SESSION_TIMEOUT);
    }
    let group = this.groups.get(groupId);
    if (!group) {
      if (req.memberId !== '') return fail(KafkaErrorCode.UNKNOWN_MEMBER_ID);
      group = this.create(groupId);
    }
    return group.join(req);
  }

  sync(
    groupId: string,
    generationId: number,
    memberId: string,
    assignments: Map<string, Buffer>,
  ): Promise<SyncResult> | SyncResult {
    const group = this.groups.get(groupId);
    if (!group) return { error: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY };
    return group.sync(memberId, generationId, assignments);
  }

  heartbeat(groupId: string, generationId: number, memberId: string): KafkaErrorCode {
    return (
      this.groups.get(groupId)?.heartbeat(memberId, generationId) ??
      KafkaErrorCode.UNKNOWN_MEMBER_ID
    );
  }

  leave(groupId: string, memberId: string): KafkaErrorCode {
    return this.groups.get(groupId)?.leave(memberId) ?? KafkaErrorCode.UNKNOWN_MEMBER_ID;
  }

  /** Checks and stores a commit; returns the error per partition, in request order. */
  commit(
    groupId: string,
    generationId: number,
    memberId: string,
    partitions: Array<{
      topic: string;
      partition: number;
      offset: number;
      metadata: string | null;
    }>,
  ): KafkaErrorCode[] {
    const group = this.groups.get(groupId);
    let groupError: KafkaErrorCode;
    if (groupId === '') groupError = KafkaErrorCode.INVALID_GROUP_ID;
    else if (group) groupError = group.commitError(memberId, generationId);
    // Without group management (kafkajs admin.setOffsets) a commit needs no membership.
    else if (generationId < 0) groupError = KafkaErrorCode.NONE;
    else groupError = KafkaErrorCode.ILLEGAL_GENERATION;
    return partitions.map((p) => {
      if (groupError !== KafkaErrorCode.NONE) return groupError;
      if (!this.topics.partition(p.topic, p.partition))
        return KafkaErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (
        p.metadata !== null &&
        Buffer.byteLength(p.metadata) > this.options.maxOffsetMetadataBytes
      ) {
        return KafkaErrorCode.OFFSET_METADATA_TOO_LARGE;
      }
      this.offsets.commit(groupId, p.topic, p.partition, p.offset, p.metadata);
      return KafkaErrorCode.NONE;
    });
  }

  describe(groupId: string): GroupSummary {
    const group = this.groups.get(groupId);
    if (!group) {
      const state = this.offsets.hasGroup(groupId) ? 'Empty' : 'Dead';
      return { groupId, state, protocolType: '', protocol: '', members: [] };
    }
    // Kafka shows the protocol, metadata and assignments only once the group is Stable.
    const stable = group.state === 'Stable';
    return {
      groupId,
      state: group.state,
      protocolType: group.protocolType ?? '',
      protocol: stable ? (group.protocol ?? '') : '',
      members: [...group.members.values()].map((m) => ({
        id: m.id,
        clientId: m.clientId,
        clientHost: m.clientHost,
        metadata: stable
          ? (m.protocols.find((p) => p.name === group.protocol)?.metadata ?? EMPTY)
          : EMPTY,
        assignment: stable ? m.assignment : EMPTY,
      })),
    };
  }

  list(): Array<{ groupId: string; protocolType: string }> {
    const ids = new Set([...this.groups.keys(), ...this.offsets.groupIds()]);
    return [...ids].map((groupId) => ({
      groupId,
      protocolType: this.groups.get(groupId)?.protocolType ?? '',
    }));
  }

  delete(groupId: string): KafkaErrorCode {
    if (groupId === '') return KafkaErrorCode.INVALID_GROUP_ID;
    const group = this.groups.get(groupId);
    if (!group && !this.offsets.hasGroup(groupId)) return KafkaErrorCode.GROUP_ID_NOT_FOUND;
    if (group && group.state !== 'Empty') return KafkaErrorCode.NON_EMPTY_GROUP;
    group?.close();
    this.groups.delete(groupId);
    this.offsets.deleteGroup(groupId);
    this.options.logger.info(`deleted group ${groupId}`);
    return KafkaErrorCode.NONE;
  }

  close(): void {
    for (const g of this.groups.values()) g.close();
    this.groups.clear();
  }

  private create(groupId: string): Group {
    const group = new Group(groupId, {
      initialRebalanceDelayMs: this.options.initialRebalanceDelayMs,
      logger: this.options.logger,
    });
    this.groups.set(groupId, group);
    return group;
  }
}
