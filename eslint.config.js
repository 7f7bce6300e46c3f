// Import boundaries from ../shared/DESIGN.md ("What may import what"). Each restriction carries the
// reason, so whoever hits it learns why the line exists instead of working around it.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const packages = [
  'event-schemas',
  'proxy',
  'legacy-adapter',
  'new-service',
  'embedded-kafka',
  'tools/apache-kafka',
];

/** A relative import that climbs out of its package into a sibling top-level folder. */
const siblingFolder = {
  regex: String.raw`^(\.\./)+(event-schemas|proxy|legacy-adapter|new-service|embedded-kafka|examples|tests|bench)(/|$)`,
  message:
    'Import another package by its name (@strangler/...), never by a relative path into its folder: packages are built, versioned and deployed separately.',
};

/** No library package may depend on the example domain (DESIGN: "no library package imports examples/"). */
const noExamples = {
  group: ['@strangler/example-*', '@strangler/legacy-monolith', '@strangler/demo'],
  message:
    'A library package knows no domain: the allocation example is built on the public API of the packages, never the other way round, so users can bring their own events, mapper and service.',
};

const noEmbeddedKafka = {
  group: ['@strangler/embedded-kafka', '@strangler/embedded-kafka/*'],
  message:
    'embedded-kafka is a broker for local runs and tests, never production: only tests, the demo runner and dev tooling may use it. Production code talks to Kafka through kafkajs and KAFKA_BROKERS.',
};

const boundaries = {
  'event-schemas': [
    noExamples,
    {
      regex: String.raw`^(?!zod(/|$)|node:|\.)`,
      message:
        'event-schemas is the leaf every other package depends on: it imports only zod (and node built-ins), so producers and consumers can share it without pulling anything else in.',
    },
  ],
  'legacy-adapter': [
    noExamples,
    {
      group: ['@strangler/new-service', '@strangler/new-service/*'],
      message:
        'legacy-adapter and new-service are separate deployables that talk only through events on Kafka; importing each other would couple the old and new systems the migration is pulling apart.',
    },
    {
      group: ['@strangler/proxy', '@strangler/proxy/*'],
      message: 'legacy-adapter does not depend on the proxy: they are independent processes.',
    },
    noEmbeddedKafka,
  ],
  'new-service': [
    noExamples,
    {
      group: ['@strangler/legacy-adapter', '@strangler/legacy-adapter/*'],
      message:
        'new-service must not know the legacy system: it learns everything from events (the anti-corruption layer lives in legacy-adapter), so it can outlive the monolith.',
    },
    {
      group: ['@strangler/proxy', '@strangler/proxy/*'],
      message: 'new-service does not depend on the proxy: they are independent processes.',
    },
    noEmbeddedKafka,
  ],
  proxy: [
    noExamples,
    {
      group: [
        '@strangler/event-schemas',
        '@strangler/event-schemas/*',
        '@strangler/legacy-adapter',
        '@strangler/legacy-adapter/*',
        '@strangler/new-service',
        '@strangler/new-service/*',
      ],
      message:
        'The proxy knows nothing of any domain: it routes and compares HTTP for whatever app it fronts, so it imports none of the domain packages.',
    },
    noEmbeddedKafka,
  ],
  'embedded-kafka': [
    {
      group: ['@strangler/*'],
      message:
        'embedded-kafka imports nothing of ours: it is a standalone broker that anyone can run without the rest of strangler.',
    },
  ],
  'tools/apache-kafka': [
    {
      group: ['@strangler/*'],
      message:
        'The Apache Kafka runner imports nothing of ours: tests, CI and users start a real broker with it whatever else they run.',
    },
  ],
};

/** Specs may also import the test runner. */
const specBoundaries = {
  ...boundaries,
  'event-schemas': [
    noExamples,
    {
      ...boundaries['event-schemas'][1],
      regex: String.raw`^(?!zod(/|$)|node:|vitest(/|$)|\.)`,
    },
  ],
};

/**
 * The strangler-schemas CLI is a development tool next to the library: it may also load the
 * AsyncAPI parser (to validate what it exports). The library entry point still imports only zod.
 */
const schemasCli = [
  noExamples,
  {
    regex: String.raw`^(?!zod(/|$)|node:|@asyncapi/parser(/|$)|vitest(/|$)|\.)`,
    message:
      'The strangler-schemas CLI imports only zod, node built-ins and @asyncapi/parser; the event-schemas library itself imports only zod.',
  },
];

const domainOnly = {
  regex: String.raw`^(\.\./|[^.])`,
  message:
    "A new service's domain/ is the pure model (the book's layout): it imports nothing outside domain/ (no I/O, no libraries), so it can be tested and reasoned about alone.",
};

const restrict = (patterns) => ({
  'no-restricted-imports': ['error', { patterns: [siblingFolder, ...patterns] }],
});

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', '**/.data/**', '.cache/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': 'off',
    },
  },
  ...packages.map((pkg) => ({
    files: [`${pkg}/**/*.ts`],
    rules: restrict(boundaries[pkg] ?? []),
  })),
  // Specs may use the embedded broker to test against a real Kafka protocol peer.
  ...packages
    .filter((pkg) => pkg !== 'embedded-kafka')
    .map((pkg) => ({
      files: [`${pkg}/**/*.spec.ts`],
      rules: restrict((specBoundaries[pkg] ?? []).filter((p) => p !== noEmbeddedKafka)),
    })),
  {
    files: ['event-schemas/src/cli/**/*.ts'],
    rules: restrict(schemasCli),
  },
  // The example's new service follows the book: its domain/ is the pure model.
  {
    files: ['examples/*/src/**/domain/**/*.ts'],
    ignores: ['examples/*/src/**/domain/**/*.spec.ts'],
    rules: restrict([domainOnly]),
  },
);
