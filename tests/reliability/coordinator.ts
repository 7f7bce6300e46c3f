import type { Admin } from 'kafkajs';

/** Kafka's default `offsets.topic.num.partitions`. */
const OFFSETS_PARTITIONS = 50;

/** Java's String.hashCode, which Kafka uses to place a group on a __consumer_offsets partition. */
function javaHashCode(text: string): number {
  let hash = 0;
  for (let i = 0; i < text.length; i++) hash = (Math.imul(31, hash) + text.charCodeAt(i)) | 0;
  return hash;
}

/**
 * The node id of a group's coordinator: the leader of __consumer_offsets partition
 * `abs(hashCode(group)) % 50` (Kafka's GroupCoordinator.partitionFor). kafkajs has no public
 * FindCoordinator call, and this is what the broker itself computes.
 */
export async function groupCoordinator(admin: Admin, group: string): Promise<number> {
  const partition = (javaHashCode(group) & 0x7fffffff) % OFFSETS_PARTITIONS;
  const { topics } = await admin.fetchTopicMetadata({ topics: ['__consumer_offsets'] });
  const leader = topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
  if (leader === undefined) throw new Error(`no leader for __consumer_offsets/${partition}`);
  return leader;
}

/** The node id leading `partition` of `topic`. */
export async function partitionLeader(
  admin: Admin,
  topic: string,
  partition: number,
): Promise<number> {
  const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
  const leader = topics[0]?.partitions.find((p) => p.partitionId === partition)?.leader;
  if (leader === undefined) throw new Error(`no leader for ${topic}/${partition}`);
  return leader;
}
