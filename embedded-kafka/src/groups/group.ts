import { randomUUID } from 'node:crypto';
import { KafkaErrorCode } from '../errors.js';
import type { Logger } from '../types.js';
import { sameProtocols, selectProtocol, supportsProtocols } from './protocols.js';
import type { GroupState, JoinRequest, JoinResult, Member, SyncResult } from './types.js';

const EMPTY = Buffer.alloc(0);

export interface GroupOptions {
  initialRebalanceDelayMs: number;
  logger: Logger;
}

/**
 * One consumer group's membership state machine, after Kafka's GroupCoordinator:
 * Empty -> PreparingRebalance (collect joins) -> CompletingRebalance (wait for the leader's
 * assignment) -> Stable, and back to PreparingRebalance whenever a member joins, leaves or expires.
 */
export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocol: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED that have not joined with them yet. */
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private rebalanceTimer: NodeJS.Timeout | undefined;
  private initialDelayTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly id: string,
    private readonly options: GroupOptions,
  ) {}

  join(req: JoinRequest): Promise<JoinResult> | JoinResult {
    if (req.protocolType === '' || req.protocols.length === 0 || !supportsProtocols(this, req)) {
      return this.joinError(req.memberId, KafkaErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (req.memberId === '') {
      // Since JoinGroup v4 the coordinator names the member and asks it to join again with that id.
      const memberId = `${req.clientId}-${randomUUID()}`;
      this.pending.set(
        memberId,
        this.timer(req.sessionTimeoutMs, () => this.expirePending(memberId)),
      );
      return this.joinError(memberId, KafkaErrorCode.MEMBER_ID_REQUIRED);
    }
    const pendingTimer = this.pending.get(req.memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      this.pending.delete(req.memberId);
      return this.addMember(req);
    }
    const member = this.members.get(req.memberId);
    if (!member) return this.joinError(req.memberId, KafkaErrorCode.UNKNOWN_MEMBER_ID);
    if (
      (this.state === 'Stable' || this.state === 'CompletingRebalance') &&
      req.memberId !== this.leaderId &&
      sameProtocols(member.protocols, req.protocols)
    ) {
      // Nothing changed: answer with the current generation instead of disturbing everyone.
      return this.joinResult(member, false);
    }
    return this.updateMember(member, req);
  }

  sync(
    memberId: string,
    generationId: number,
    assignments: Map<string, Buffer>,
  ): Promise<SyncResult> | SyncResult {
    const member = this.members.get(memberId);
    if (!member) return { error: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY };
    if (generationId !== this.generationId)
      return { error: KafkaErrorCode.ILLEGAL_GENERATION, assignment: EMPTY };
    this.heartbeatFrom(member);
    switch (this.state) {
      case 'PreparingRebalance':
        return { error: KafkaErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY };
      case 'Stable':
        return { error: KafkaErrorCode.NONE, assignment: member.assignment };
      case 'CompletingRebalance':
        return new Promise((resolve) => {
          member.awaitingSync = resolve;
          if (memberId === this.leaderId) this.completeSync(assignments);
        });
      case 'Empty':
      case 'Dead':
        return { error: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY };
      default: {
        const never: never = this.state;
        throw new Error(`unhandled group state ${String(never)}`);
      }
    }
  }

  heartbeat(memberId: string, generationId: number): KafkaErrorCode {
    const member = this.members.get(memberId);
    if (!member || this.state === 'Empty' || this.state === 'Dead')
      return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return KafkaErrorCode.ILLEGAL_GENERATION;
    this.heartbeatFrom(member);
    return this.state === 'PreparingRebalance'
      ? KafkaErrorCode.REBALANCE_IN_PROGRESS
      : KafkaErrorCode.NONE;
  }

  leave(memberId: string): KafkaErrorCode {
    const pendingTimer = this.pending.get(memberId);
    if (pendingTimer) {
      clearTimeout(pendingTimer);
      this.pending.delete(memberId);
      this.tryCompleteJoin();
      return KafkaErrorCode.NONE;
    }
    const member = this.members.get(memberId);
    if (!member) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    this.options.logger.debug(`group ${this.id}: member ${memberId} left`);
    this.removeMember(member, 'left the group');
    return KafkaErrorCode.NONE;
  }

  /** May a commit from this member and generation be stored? (Kafka's doCommitOffsets checks.) */
  commitError(memberId: string, generationId: number): KafkaErrorCode {
    if (this.state === 'Dead') return KafkaErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (generationId < 0 && this.state === 'Empty') return KafkaErrorCode.NONE;
    if (this.state === 'CompletingRebalance') return KafkaErrorCode.REBALANCE_IN_PROGRESS;
    const member = this.members.get(memberId);
    if (!member) return KafkaErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== this.generationId) return KafkaErrorCode.ILLEGAL_GENERATION;
    this.heartbeatFrom(member);
    return KafkaErrorCode.NONE;
  }

  /** Stops every timer and answers every waiting member; the group is unusable afterwards. */
  close(): void {
    clearTimeout(this.rebalanceTimer);
    clearTimeout(this.initialDelayTimer);
    for (const t of this.pending.values()) clearTimeout(t);
    this.pending.clear();
    for (const m of this.members.values()) {
      clearTimeout(m.sessionTimer);
      m.awaitingJoin?.(this.errorResult(m.id, KafkaErrorCode.COORDINATOR_NOT_AVAILABLE));
      m.awaitingSync?.({ error: KafkaErrorCode.COORDINATOR_NOT_AVAILABLE, assignment: EMPTY });
    }
    this.members.clear();
    this.state = 'Dead';
  }

  private addMember(req: JoinRequest): Promise<JoinResult> {
    const member: Member = {
      id: req.memberId,
      clientId: req.clientId,
      clientHost: req.clientHost,
      sessionTimeoutMs: req.sessionTimeoutMs,
      rebalanceTimeoutMs: req.rebalanceTimeoutMs,
      protocols: req.protocols,
      assignment: EMPTY,
    };
    if (this.members.size === 0) this.protocolType = req.protocolType;
    this.members.set(member.id, member);
    this.options.logger.debug(`group ${this.id}: member ${member.id} joined`);
    return this.awaitJoin(member, `member ${member.id} joined`);
  }

  private updateMember(member: Member, req: JoinRequest): Promise<JoinResult> {
    member.protocols = req.protocols;
    member.sessionTimeoutMs = req.sessionTimeoutMs;
    member.rebalanceTimeoutMs = req.rebalanceTimeoutMs;
    // A member that re-sends JoinGroup replaces its earlier request; the earlier one is answered.
    member.awaitingJoin?.(this.errorResult(member.id, KafkaErrorCode.REBALANCE_IN_PROGRESS));
    member.awaitingJoin = undefined;
    return this.awaitJoin(member, `member ${member.id} rejoined`);
  }

  private awaitJoin(member: Member, reason: string): Promise<JoinResult> {
    return new Promise((resolve) => {
      clearTimeout(member.sessionTimer);
      member.sessionTimer = undefined;
      member.awaitingJoin = resolve;
      if (this.state !== 'PreparingRebalance') this.prepareRebalance(reason);
      else this.tryCompleteJoin();
    });
  }

  private prepareRebalance(reason: string): void {
    if (this.state === 'CompletingRebalance') {
      for (const m of this.members.values()) {
        m.awaitingSync?.({ error: KafkaErrorCode.REBALANCE_IN_PROGRESS, assignment: EMPTY });
        m.awaitingSync = undefined;
      }
    }
    const wasEmpty = this.state === 'Empty';
    this.state = 'PreparingRebalance';
    this.options.logger.info(
      `group ${this.id}: rebalancing (generation ${this.generationId}): ${reason}`,
    );
    const timeout = Math.max(0, ...[...this.members.values()].map((m) => m.rebalanceTimeoutMs));
    clearTimeout(this.rebalanceTimer);
    this.rebalanceTimer = this.timer(timeout, () => this.completeJoin());
    if (wasEmpty && this.options.initialRebalanceDelayMs > 0) {
      this.initialDelayTimer = this.timer(this.options.initialRebalanceDelayMs, () => {
        this.initialDelayTimer = undefined;
        this.tryCompleteJoin();
      });
      return;
    }
    this.tryCompleteJoin();
  }

  private tryCompleteJoin(): void {
    if (this.state !== 'PreparingRebalance' || this.initialDelayTimer) return;
    if (this.pending.size > 0) return;
    for (const m of this.members.values()) if (!m.awaitingJoin) return;
    this.completeJoin();
  }

  private completeJoin(): void {
    if (this.state !== 'PreparingRebalance') return;
    clearTimeout(this.rebalanceTimer);
    clearTimeout(this.initialDelayTimer);
    this.initialDelayTimer = undefined;
    for (const m of [...this.members.values()]) {
      if (!m.awaitingJoin) {
        this.options.logger.info(
          `group ${this.id}: member ${m.id} removed: did not rejoin within the rebalance timeout`,
        );
        this.members.delete(m.id);
        clearTimeout(m.sessionTimer);
      }
    }
    this.generationId++;
    if (this.members.size === 0) {
      this.toEmpty();
      return;
    }
    this.protocol = selectProtocol(this.members.values());
    if (this.leaderId === null || !this.members.has(this.leaderId)) {
      this.leaderId = this.members.keys().next().value!;
    }
    this.state = 'CompletingRebalance';
    this.options.logger.info(
      `group ${this.id}: generation ${this.generationId} with ${this.members.size} member(s), leader ${this.leaderId}`,
    );
    for (const m of this.members.values()) {
      const answer = m.awaitingJoin!;
      m.awaitingJoin = undefined;
      this.heartbeatFrom(m);
      answer(this.joinResult(m, true));
    }
  }

  private completeSync(assignments: Map<string, Buffer>): void {
    for (const m of this.members.values()) m.assignment = assignments.get(m.id) ?? EMPTY;
    this.state = 'Stable';
    for (const m of this.members.values()) {
      m.awaitingSync?.({ error: KafkaErrorCode.NONE, assignment: m.assignment });
      m.awaitingSync = undefined;
    }
  }

  private removeMember(member: Member, reason: string): void {
    clearTimeout(member.sessionTimer);
    this.members.delete(member.id);
    member.awaitingJoin?.(this.errorResult(member.id, KafkaErrorCode.UNKNOWN_MEMBER_ID));
    member.awaitingSync?.({ error: KafkaErrorCode.UNKNOWN_MEMBER_ID, assignment: EMPTY });
    if (this.leaderId === member.id) this.leaderId = null;
    switch (this.state) {
      case 'Stable':
      case 'CompletingRebalance':
        if (this.members.size === 0) {
          this.generationId++;
          this.toEmpty();
        } else {
          this.prepareRebalance(`member ${member.id} ${reason}`);
        }
        break;
      case 'PreparingRebalance':
        this.tryCompleteJoin();
        break;
      case 'Empty':
      case 'Dead':
        break;
      default: {
        const never: never = this.state;
        throw new Error(`unhandled group state ${String(never)}`);
      }
    }
  }

  private toEmpty(): void {
    this.state = 'Empty';
    this.protocol = null;
    this.leaderId = null;
    this.options.logger.info(`group ${this.id}: empty (generation ${this.generationId})`);
  }

  private heartbeatFrom(member: Member): void {
    clearTimeout(member.sessionTimer);
    member.sessionTimer = this.timer(member.sessionTimeoutMs, () => {
      this.options.logger.info(
        `group ${this.id}: member ${member.id} expired: no heartbeat for ${member.sessionTimeoutMs} ms`,
      );
      member.sessionTimer = undefined;
      this.removeMember(member, 'expired');
    });
  }

  private expirePending(memberId: string): void {
    this.pending.delete(memberId);
    this.tryCompleteJoin();
  }

  private joinResult(member: Member, withMembers: boolean): JoinResult {
    const isLeader = member.id === this.leaderId;
    return {
      error: KafkaErrorCode.NONE,
      generationId: this.generationId,
      protocol: this.protocol ?? '',
      leaderId: this.leaderId ?? '',
      memberId: member.id,
      members:
        withMembers && isLeader
          ? [...this.members.values()].map((m) => ({
              memberId: m.id,
              metadata: m.protocols.find((p) => p.name === this.protocol)?.metadata ?? EMPTY,
            }))
          : [],
    };
  }

  private joinError(memberId: string, error: KafkaErrorCode): JoinResult {
    return this.errorResult(memberId, error);
  }

  private errorResult(memberId: string, error: KafkaErrorCode): JoinResult {
    return { error, generationId: -1, protocol: '', leaderId: '', memberId, members: [] };
  }

  private timer(ms: number, fn: () => void): NodeJS.Timeout {
    return setTimeout(fn, ms);
  }
}
