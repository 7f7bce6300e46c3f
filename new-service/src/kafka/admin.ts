import type { Admin, Kafka } from 'kafkajs';

const LEADER_RETRIES = 5;
const LEADER_MOVING = new Set([
  'NOT_LEADER_OR_FOLLOWER',
  'LEADER_NOT_AVAILABLE',
  'UNKNOWN_TOPIC_OR_PARTITION',
]);

/** A kafkajs error, or one it wraps, saying a partition's leader is not (yet) serving. */
export function isLeaderMoving(err: unknown): boolean {
  for (let e = err as { type?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.type !== undefined && LEADER_MOVING.has(e.type)) return true;
  }
  return false;
}

/** Earliest and next-to-be-written offset of a partition (decimal strings). */
export interface Watermarks {
  low: string;
  high: string;
}

/** A member of a consumer group, as DescribeGroups reports it. */
export interface GroupMember {
  memberId: string;
  clientId: string;
  clientHost: string;
}

/** Topic watermarks and group members through one lazily connected kafkajs admin client. */
export class KafkaAdmin {
  readonly #admin: Admin;
  readonly #known = new Set<string>();
  #connecting: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.#admin = kafka.admin();
  }

  async watermarks(topic: string): Promise<Map<number, Watermarks>> {
    await this.#connect();
    await this.#mustExist(topic);
    for (let attempt = 0; ; attempt++) {
      try {
        const offsets = await this.#admin.fetchTopicOffsets(topic);
        return new Map(offsets.map((o) => [o.partition, { low: o.low, high: o.high }]));
      } catch (err) {
        // Apache Kafka can name a leader in metadata a moment before that broker serves the
        // partition (a new topic, a leader moving after a broker died); kafkajs 2.2.4's
        // fetchTopicOffsets gives up on that at once, and keeps its stale metadata. A reconnect
        // drops that metadata; the answers pass within a second or two.
        if (attempt >= LEADER_RETRIES || !isLeaderMoving(err)) throw err;
        await new Promise((r) => setTimeout(r, 100 * 2 ** attempt));
        await this.close();
        await this.#connect();
      }
    }
  }

  /**
   * Fails at once for a topic that does not exist: kafkajs retries an unknown topic for about 9 s
   * against Apache Kafka, longer than a /status answer may take. Asked until the topic is seen.
   */
  async #mustExist(topic: string): Promise<void> {
    if (this.#known.has(topic)) return;
    if (!(await this.#admin.listTopics()).includes(topic)) {
      throw new Error(`topic "${topic}" does not exist (yet)`);
    }
    this.#known.add(topic);
  }

  /** The group's active members (none when the group is empty, dead or unknown). */
  async groupMembers(group: string): Promise<GroupMember[]> {
    await this.#connect();
    const { groups } = await this.#admin.describeGroups([group]);
    const described = groups.find((g) => g.groupId === group);
    return (described?.members ?? []).map(({ memberId, clientId, clientHost }) => ({
      memberId,
      clientId,
      clientHost,
    }));
  }

  async close(): Promise<void> {
    const connecting = this.#connecting;
    this.#connecting = undefined;
    if (connecting) await connecting.then(() => this.#admin.disconnect()).catch(() => {});
  }

  #connect(): Promise<void> {
    this.#connecting ??= this.#admin.connect().catch((err: unknown) => {
      this.#connecting = undefined; // the next call tries again
      throw err;
    });
    return this.#connecting;
  }
}
