import type { Admin, Kafka } from 'kafkajs';

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
  #connecting: Promise<void> | undefined;

  constructor(kafka: Kafka) {
    this.#admin = kafka.admin();
  }

  async watermarks(topic: string): Promise<Map<number, Watermarks>> {
    await this.#connect();
    const offsets = await this.#admin.fetchTopicOffsets(topic);
    return new Map(offsets.map((o) => [o.partition, { low: o.low, high: o.high }]));
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
