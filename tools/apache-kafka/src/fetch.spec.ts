import { mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchKafka, kafkaVersion } from './fetch.js';

const path = process.env.PATH;
afterEach(() => {
  process.env.PATH = path;
});

describe('fetching Apache Kafka', () => {
  it('pins the version docker-compose.yml runs', async () => {
    const { readFile } = await import('node:fs/promises');
    const compose = await readFile(new URL('../../../docker-compose.yml', import.meta.url), 'utf8');
    expect(compose).toContain(`image: apache/kafka:${kafkaVersion()}\n`);
  });

  it('uses a complete cache without Maven or network', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'kafka-cache-'));
    const libs = join(cache, kafkaVersion(), 'libs');
    mkdirSync(libs, { recursive: true });
    writeFileSync(join(libs, '.complete'), '');
    process.env.PATH = '/nonexistent';
    await expect(fetchKafka(cache)).resolves.toBe(libs);
  });

  it('fails naming the artifact when Maven cannot fetch, leaving no half-filled folder', async () => {
    const cache = mkdtempSync(join(tmpdir(), 'kafka-cache-'));
    process.env.PATH = '/nonexistent';
    await expect(fetchKafka(cache)).rejects.toMatchObject({
      code: 'FETCH_FAILED',
      message: expect.stringContaining(`org.apache.kafka:kafka_2.13:${kafkaVersion()}`),
    });
    expect(readdirSync(join(cache, kafkaVersion()))).toEqual([]);
  });
});
