import { describe, expect, it } from 'vitest';
import { ApacheKafkaError } from './errors.js';
import { clusterId } from './cluster.js';
import { findJava } from './java.js';
import { checkOptions } from './options.js';
import { nodeProperties } from './properties.js';

describe('apache-kafka options', () => {
  it.each([
    [{ nodes: 2 as 1 }, 'nodes: 2 is not supported; use 1 or 3'],
    [{ port: 70_000 }, 'port: 70000 is not a TCP port'],
    [{ heap: 'lots' }, 'heap: "lots" is not a JVM size'],
    [{ startTimeoutMs: -1 }, 'startTimeoutMs: -1 must be a positive number'],
    [{ overrides: { 'a\nb': 'c' } }, 'overrides.a\nb: must be a one-line string'],
  ])('refuses %j naming the field', (options, message) => {
    expect(() => checkOptions(options)).toThrow(message);
    expect(() => checkOptions(options)).toThrow(ApacheKafkaError);
  });

  it('defaults to one node on 127.0.0.1', () => {
    expect(checkOptions({})).toMatchObject({ nodes: 1, host: '127.0.0.1', heap: '768m' });
  });

  it('refuses a missing Java with what to install', async () => {
    await expect(findJava({ JAVA_HOME: '/nonexistent/jdk' })).rejects.toMatchObject({
      code: 'JAVA_MISSING',
      message: expect.stringContaining('/nonexistent/jdk/bin/java'),
    });
  });
});

describe('node properties', () => {
  const layout = (id: number) => ({
    id,
    port: 9000 + id,
    controllerPort: 9100 + id,
    dataDir: `/d/${id}`,
  });

  it('one node replicates once, like docker-compose.yml', () => {
    const props = nodeProperties(layout(1), [layout(1)], '127.0.0.1');
    expect(props).toContain('controller.quorum.voters=1@127.0.0.1:9101\n');
    expect(props).toContain('offsets.topic.replication.factor=1\n');
    expect(props).toContain('min.insync.replicas=1\n');
    expect(props).toContain('group.initial.rebalance.delay.ms=0\n');
  });

  it('three nodes replicate three times and need two in sync; overrides win', () => {
    const all = [layout(1), layout(2), layout(3)];
    const props = nodeProperties(all[1]!, all, 'h', { 'num.partitions': '6' });
    expect(props).toContain('node.id=2\n');
    expect(props).toContain('controller.quorum.voters=1@h:9101,2@h:9102,3@h:9103\n');
    expect(props).toContain('default.replication.factor=3\n');
    expect(props).toContain('min.insync.replicas=2\n');
    expect(props).toContain('transaction.state.log.min.isr=2\n');
    expect(props).toContain('num.partitions=6\n');
    expect(props).not.toContain('num.partitions=3');
  });
});

describe('cluster ids', () => {
  it('are 22 base64url characters and never start with "-" (the storage tool would read an option)', () => {
    const ids = Array.from({ length: 2000 }, () => clusterId());
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_][A-Za-z0-9_-]{21}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
