import { configDefaults, defineConfig } from 'vitest/config';

// Packages export `source` (their TypeScript) next to `default` (built JS): tests run the source,
// so a change is tested without a build. `__vitest__` is the environment that runs globalSetup.
const resolve = { conditions: ['source', 'module', 'node', 'development|production'] };

export default defineConfig({
  resolve,
  ssr: { resolve: { conditions: resolve.conditions, externalConditions: ['source'] } },
  environments: { __vitest__: { resolve: { conditions: resolve.conditions } } },
  test: {
    globalSetup: ['tests/harness/global-setup.ts'],
    // The servers are shared by every file; each file makes its own databases, topics and groups.
    fileParallelism: true,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [
            '*/src/**/*.spec.ts',
            'examples/*/src/**/*.spec.ts',
            'tools/*/src/**/*.spec.ts',
          ],
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: ['tests/**/*.test.ts'],
          // Minutes of 3-broker fault tests: `npm run test:reliability` (vitest.reliability.config.ts).
          exclude: [...configDefaults.exclude, 'tests/reliability/**'],
        },
      },
    ],
  },
});
