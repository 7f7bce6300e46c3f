import { defineConfig, mergeConfig } from 'vitest/config';
import base from './vitest.config.js';

// Fault tests on a 3-broker Apache Kafka cluster they start themselves (tools/apache-kafka): minutes
// of JVMs, so not part of `npm test`; .ci/run runs them, and `npm run test:reliability` does locally.
export default mergeConfig(
  { ...base, test: { ...base.test, projects: undefined } },
  defineConfig({ test: { include: ['tests/reliability/**/*.test.ts'], fileParallelism: false } }),
);
