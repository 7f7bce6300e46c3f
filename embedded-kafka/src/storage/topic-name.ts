const LEGAL = /^[a-zA-Z0-9._-]+$/;
const MAX_LENGTH = 249;

/** Kafka's topic name rules (org.apache.kafka.common.internals.Topic); the reason when illegal. */
export function topicNameProblem(name: string): string | null {
  if (name.length === 0) return 'topic name is empty';
  if (name === '.' || name === '..') return `topic name "${name}" is not allowed`;
  if (name.length > MAX_LENGTH)
    return `topic name is ${name.length} characters; the limit is ${MAX_LENGTH}`;
  if (!LEGAL.test(name))
    return `topic name "${name}" may contain only ASCII letters, digits, ".", "_" and "-"`;
  return null;
}
