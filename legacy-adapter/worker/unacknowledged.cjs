// kafkajs 2.2.4 can resolve a sendBatch without sending some of its partitions: its internal
// retry only sends to brokers that have not answered yet in this call, so a partition whose leader
// moved (after a broker died) to a broker that already answered is silently left out
// (producer/sendMessages.js; tulios/kafkajs#1303). Seen as 28 events missing from Kafka after a
// leader was killed, though the adapter had confirmed them (tests/reliability). The producer thread
// records the partition kafkajs chose for each message and checks the answer against it.

/**
 * Wraps a kafkajs partitioner factory so that the partition chosen for each message object is
 * recorded in `chosen` (a WeakMap: message -> partition).
 * @param {() => (args: { topic: string, partitionMetadata: unknown[], message: object }) => number} factory
 * @param {WeakMap<object, number>} chosen
 */
function recordingPartitioner(factory, chosen) {
  return () => {
    const partition = factory();
    return (args) => {
      const p = partition(args);
      chosen.set(args.message, p);
      return p;
    };
  };
}

/**
 * The `topic/partition` pairs that messages were sent to and that no broker acknowledged.
 * @param {Array<{ topic: string, messages: object[] }>} topicMessages what was given to sendBatch
 * @param {Array<{ topicName: string, partition: number, errorCode?: number }>} results its answer
 * @param {WeakMap<object, number>} chosen
 * @returns {string[]}
 */
function unacknowledged(topicMessages, results, chosen) {
  const answered = new Set(
    results.filter((r) => !r.errorCode).map((r) => `${r.topicName}/${r.partition}`),
  );
  const missing = new Set();
  for (const { topic, messages } of topicMessages) {
    for (const message of messages) {
      const partition = chosen.get(message);
      const key = `${topic}/${partition}`;
      if (partition === undefined || !answered.has(key)) missing.add(key);
    }
  }
  return [...missing];
}

module.exports = { recordingPartitioner, unacknowledged };
