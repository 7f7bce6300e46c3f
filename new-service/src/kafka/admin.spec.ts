import type { Kafka } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { isLeaderMoving, KafkaAdmin } from './admin.js';

const protocolError = (type: string) => Object.assign(new Error(type), { type });

describe('KafkaAdmin watermarks', () => {
  it('recognises a leader not serving yet, also wrapped in a retry error', () => {
    expect(isLeaderMoving(protocolError('NOT_LEADER_OR_FOLLOWER'))).toBe(true);
    expect(isLeaderMoving({ cause: protocolError('LEADER_NOT_AVAILABLE') })).toBe(true);
    expect(isLeaderMoving(protocolError('TOPIC_AUTHORIZATION_FAILED'))).toBe(false);
    expect(isLeaderMoving(new Error('connection refused'))).toBe(false);
  });

  // A stand-in admin for the retry rule only; the real client is exercised against a broker in
  // consume.spec.ts and against Apache Kafka in CI.
  function adminAnswering(
    answers: Array<Error | { partition: number; low: string; high: string }[]>,
  ) {
    let calls = 0;
    const admin = {
      connect: async () => {},
      listTopics: async () => ['t'],
      disconnect: async () => {},
      fetchTopicOffsets: async () => {
        const answer = answers[Math.min(calls++, answers.length - 1)]!;
        if (answer instanceof Error) throw answer;
        return answer;
      },
    };
    return { kafka: { admin: () => admin } as unknown as Kafka, calls: () => calls };
  }

  it('asks again while the leader is moving, then answers', async () => {
    const fake = adminAnswering([
      protocolError('NOT_LEADER_OR_FOLLOWER'),
      protocolError('NOT_LEADER_OR_FOLLOWER'),
      [{ partition: 0, low: '0', high: '7' }],
    ]);
    const watermarks = await new KafkaAdmin(fake.kafka).watermarks('t');
    expect(watermarks.get(0)).toEqual({ low: '0', high: '7' });
    expect(fake.calls()).toBe(3);
  });

  it('fails at once, naming it, for a topic that does not exist', async () => {
    const fake = adminAnswering([[{ partition: 0, low: '0', high: '0' }]]);
    await expect(new KafkaAdmin(fake.kafka).watermarks('missing')).rejects.toThrow(
      'topic "missing" does not exist (yet)',
    );
    expect(fake.calls()).toBe(0);
  });

  it('gives up at once on any other error', async () => {
    const fake = adminAnswering([protocolError('TOPIC_AUTHORIZATION_FAILED')]);
    await expect(new KafkaAdmin(fake.kafka).watermarks('t')).rejects.toThrow(
      'TOPIC_AUTHORIZATION_FAILED',
    );
    expect(fake.calls()).toBe(1);
  });
});
