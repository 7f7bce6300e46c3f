import {
  AssignerProtocol,
  Kafka,
  Partitioners,
  logLevel,
  type Admin,
  type Consumer,
  type ConsumerConfig,
  type IHeaders,
  type KafkaConfig,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import { afterEach } from 'vitest';
import { kafkaBrokers, uniqueName } from '@strangler/tests/harness';

/**
 * Group timings every test uses unless it needs others. Short waits and heartbeats keep joins and
 * rebalances under a second or two; the session timeout stays at or above real Kafka's
 * group.min.session.timeout.ms (6000) so the same settings work against a real cluster.
 */
export const FAST_GROUP = {
  sessionTimeout: 10_000,
  rebalanceTimeout: 10_000,
  heartbeatInterval: 500,
  maxWaitTimeInMs: 200,
} satisfies Partial<ConsumerConfig>;

/**
 * Timeout for tests that go through several group joins or kafkajs's setOffsets (which waits
 * out a 5 s fetch of its own): on a real Kafka every first join of a group also waits
 * group.initial.rebalance.delay.ms (3 s by default).
 */
export const SLOW_TEST_MS = 90_000;

/** A message as a consumer saw it, in a shape that diffs well when an assertion fails. */
export interface Seen {
  topic: string;
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
}

/** A message with the parts `Seen` leaves out. */
export interface Received extends Seen {
  headers: IHeaders;
  timestamp: string;
}

/** The latest assignment a consumer received, from its GROUP_JOIN event. */
export interface JoinInfo {
  memberId: string;
  isLeader: boolean;
  assignment: Record<string, number[]>;
}

/** A consumer with everything it received and every group join it went through. */
export interface TrackedConsumer {
  consumer: Consumer;
  seen: Seen[];
  joins: JoinInfo[];
  /** Errors from the CRASH event, if the consumer crashed. */
  crashes: Array<{ error: Error; restart: boolean }>;
  /** Completed fetches; after the first one following a join, start positions are resolved. */
  fetches: number;
  heartbeats: number;
}

/**
 * Kafka clients for one test file: everything made here is disconnected after each test, so a
 * failing test leaks no sockets, timers or group members into the next one.
 */
export function kafkaKit(base: Partial<KafkaConfig> = {}) {
  let open: Array<{ disconnect(): Promise<void> }> = [];
  afterEach(async () => {
    const closing = open;
    open = [];
    await Promise.allSettled(closing.reverse().map((c) => c.disconnect()));
  });
  const kafka = (config: Partial<KafkaConfig> = {}) =>
    new Kafka({
      clientId: uniqueName('conformance'),
      brokers: kafkaBrokers(),
      logLevel: logLevel.NOTHING,
      retry: { initialRetryTime: 100, retries: 8 },
      ...base,
      ...config,
    });
  const track = <T extends { disconnect(): Promise<void> }>(client: T): T => {
    open.push(client);
    return client;
  };
  return {
    kafka,
    async producer(config: ProducerConfig = {}, client = kafka()): Promise<Producer> {
      const p = track(
        client.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config }),
      );
      await p.connect();
      return p;
    },
    async admin(client = kafka()): Promise<Admin> {
      const a = track(client.admin());
      await a.connect();
      return a;
    },
    /** A connected consumer that records what it receives; call `run` on it yourself. */
    async consumer(config: Partial<ConsumerConfig> = {}, client = kafka()) {
      const consumer = track(
        client.consumer({ groupId: uniqueName('group'), ...FAST_GROUP, ...config }),
      );
      const tracked = trackConsumer(consumer);
      await consumer.connect();
      return tracked;
    },
    /** A consumer in `groupId` that records every message of `topics` into `seen`, running. */
    async member(
      topics: string[],
      config: Partial<ConsumerConfig> & { fromBeginning?: boolean } = {},
      client = kafka(),
    ): Promise<TrackedConsumer> {
      const { fromBeginning = true, ...rest } = config;
      const tracked = await this.consumer(rest, client);
      await tracked.consumer.subscribe({ topics, fromBeginning });
      await tracked.consumer.run({ eachMessage: recordInto(tracked) });
      return tracked;
    },
    /**
     * Reads `count` messages of `topics` from the beginning with a fresh group, and returns them
     * with headers and timestamps, ordered by topic, partition and offset.
     */
    async readAll(topics: string[], count: number): Promise<Received[]> {
      const tracked = await this.consumer();
      const received: Received[] = [];
      await tracked.consumer.subscribe({ topics, fromBeginning: true });
      await tracked.consumer.run({
        eachMessage: async ({ topic, partition, message }) => {
          received.push({
            ...seen(topic, partition, message),
            headers: message.headers ?? {},
            timestamp: message.timestamp,
          });
        },
      });
      await waitFor(
        `${count} messages from ${topics.join(', ')} (have ${received.length})`,
        () => received.length >= count,
      );
      await this.disconnect(tracked.consumer);
      return sortByPosition(received);
    },
    /** Disconnects one client now (a member leaving) instead of after the test. */
    async disconnect(client: { disconnect(): Promise<void> }): Promise<void> {
      open = open.filter((c) => c !== client);
      await client.disconnect();
    },
  };
}

function trackConsumer(consumer: Consumer): TrackedConsumer {
  const tracked: TrackedConsumer = {
    consumer,
    seen: [],
    joins: [],
    crashes: [],
    fetches: 0,
    heartbeats: 0,
  };
  consumer.on(consumer.events.GROUP_JOIN, ({ payload }) =>
    tracked.joins.push({
      memberId: payload.memberId,
      isLeader: payload.isLeader,
      assignment: payload.memberAssignment,
    }),
  );
  consumer.on(consumer.events.CRASH, ({ payload }) =>
    tracked.crashes.push({ error: payload.error, restart: payload.restart }),
  );
  consumer.on(consumer.events.FETCH, () => tracked.fetches++);
  consumer.on(consumer.events.HEARTBEAT, () => tracked.heartbeats++);
  return tracked;
}

/** The eachMessage handler that records into `tracked.seen`. */
export function recordInto(tracked: TrackedConsumer) {
  return async ({
    topic,
    partition,
    message,
  }: {
    topic: string;
    partition: number;
    message: { offset: string; key: Buffer | null; value: Buffer | null };
  }) => {
    tracked.seen.push(seen(topic, partition, message));
  };
}

export function seen(
  topic: string,
  partition: number,
  message: { offset: string; key: Buffer | null; value: Buffer | null },
): Seen {
  return {
    topic,
    partition,
    offset: Number(message.offset),
    key: message.key?.toString() ?? null,
    value: message.value?.toString() ?? null,
  };
}

/** Creates a topic with an explicit partition count and waits until every partition has a leader. */
export async function createTopic(admin: Admin, numPartitions: number, prefix = 'topic') {
  const topic = uniqueName(prefix);
  const created = await admin.createTopics({
    topics: [{ topic, numPartitions, replicationFactor: 1 }],
    waitForLeaders: true,
  });
  if (!created) throw new Error(`createTopics reported that ${topic} already existed`);
  // Apache Kafka (KRaft) can list a partition's leader in metadata a moment before that broker
  // serves it: ListOffsets then answers NOT_LEADER_OR_FOLLOWER, which kafkajs 2.2.4's
  // fetchTopicOffsets does not retry. A topic is handed out once every partition answers.
  await waitFor(`${topic} to serve ListOffsets on every partition`, () =>
    admin.fetchTopicOffsets(topic).then(
      (offsets) => offsets.length === numPartitions,
      () => false,
    ),
  );
  return topic;
}

/** The innermost `type` of a kafkajs error (retry wrappers hide the protocol error in `cause`). */
export function errorType(e: unknown): string | undefined {
  let current = e as { type?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return current?.type;
}

/** Polls `check` until it returns a value other than undefined/false, or fails naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => T | undefined | false | Promise<T | undefined | false>,
  timeoutMs = 25_000,
  intervalMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
      last = undefined;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) {
      const why = last instanceof Error ? `: last error ${last.message}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${why}`);
    }
    await sleep(intervalMs);
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits until `tracked` has received at least `count` messages, then returns them. */
export function waitForMessages(tracked: { seen: Seen[] }, count: number, timeoutMs?: number) {
  return waitFor(
    `${count} messages (have ${tracked.seen.length})`,
    () => tracked.seen.length >= count && tracked.seen,
    timeoutMs,
  );
}

/** Orders records by topic, partition and offset: per-partition order is what Kafka promises. */
export function sortByPosition<T extends Pick<Seen, 'topic' | 'partition' | 'offset'>>(
  records: readonly T[],
): T[] {
  return [...records].sort(
    (a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition || a.offset - b.offset,
  );
}

/** Only the records of one partition, in the order they were received. */
export function ofPartition<T extends Pick<Seen, 'partition'>>(records: readonly T[], p: number) {
  return records.filter((r) => r.partition === p);
}

/** Header values as kafkajs hands them to consumers, turned into strings for comparison. */
export function headersAsStrings(headers: IHeaders | undefined) {
  const out: Record<string, string | string[] | undefined> = {};
  for (const [k, v] of Object.entries(headers ?? {})) {
    out[k] = Array.isArray(v) ? v.map((x) => x.toString()) : v?.toString();
  }
  return out;
}

/** The assignment of every member as the coordinator reports it (DescribeGroups). */
export async function describedAssignments(admin: Admin, groupId: string) {
  const { groups } = await admin.describeGroups([groupId]);
  const group = groups[0]!;
  return {
    state: group.state,
    members: group.members.map((m) => ({
      memberId: m.memberId,
      assignment:
        m.memberAssignment.length > 0
          ? (AssignerProtocol.MemberAssignment.decode(m.memberAssignment)?.assignment ?? {})
          : {},
    })),
  };
}

/**
 * Waits until the group is Stable with exactly these consumers as members, each consumer's latest
 * join matches what the coordinator reports for it, and together they own every partition of
 * `topic` exactly once. Messages produced after this are consumed by exactly one member each.
 */
export async function waitForStableGroup(
  admin: Admin,
  groupId: string,
  members: Array<{ joins: JoinInfo[] }>,
  topic: string,
  partitions: number,
) {
  return waitFor(
    `group ${groupId} to be Stable with ${members.length} member(s) sharing ${partitions} partitions`,
    async () => {
      const described = await describedAssignments(admin, groupId);
      if (described.state !== 'Stable' || described.members.length !== members.length) return false;
      const owned: number[] = [];
      for (const m of members) {
        const latest = m.joins.at(-1);
        const d = described.members.find((x) => x.memberId === latest?.memberId);
        if (!latest || !d) return false;
        const mine = [...(latest.assignment[topic] ?? [])].sort((a, b) => a - b);
        const theirs = [...(d.assignment[topic] ?? [])].sort((a, b) => a - b);
        if (mine.join() !== theirs.join()) return false;
        owned.push(...mine);
      }
      owned.sort((a, b) => a - b);
      const all = Array.from({ length: partitions }, (_, i) => i);
      return owned.join() === all.join() && described;
    },
  );
}

/** Committed offsets of a group for one topic, as `{ partition: offset }` numbers. */
export async function committedOffsets(admin: Admin, groupId: string, topic: string) {
  const [result] = await admin.fetchOffsets({ groupId, topics: [topic] });
  return Object.fromEntries(
    (result?.partitions ?? []).map((p) => [p.partition, Number(p.offset)] as const),
  );
}

/** High watermarks of a topic, as `{ partition: offset }` numbers. */
export async function highWatermarks(admin: Admin, topic: string) {
  const offsets = await admin.fetchTopicOffsets(topic);
  return Object.fromEntries(offsets.map((o) => [o.partition, Number(o.high)] as const));
}

/** Counts how often each `topic/partition/offset` was seen; any count above 1 is a duplicate. */
export function duplicates(records: readonly Seen[]): string[] {
  const counts = new Map<string, number>();
  for (const r of records) {
    const k = `${r.topic}/${r.partition}/${r.offset}`;
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  return [...counts].filter(([, n]) => n > 1).map(([k, n]) => `${k} x${n}`);
}

/**
 * Produces `count` messages spread round-robin over the partitions of `topic` (explicit partitions,
 * one request), and returns what a consumer must see: offsets continue from each partition's
 * current high watermark.
 */
export async function produceSpread(
  producer: Producer,
  admin: Admin,
  topic: string,
  count: number,
  tag: string,
): Promise<Seen[]> {
  const next = await highWatermarks(admin, topic);
  const partitions = Object.keys(next).length;
  const expected: Seen[] = [];
  for (let i = 0; i < count; i++) {
    const partition = i % partitions;
    const offset = next[partition]!;
    next[partition] = offset + 1;
    expected.push({ topic, partition, offset, key: `${tag}-k${i}`, value: `${tag}-v${i}` });
  }
  await producer.send({
    topic,
    messages: expected.map((e) => ({ partition: e.partition, key: e.key, value: e.value })),
  });
  return sortByPosition(expected);
}
