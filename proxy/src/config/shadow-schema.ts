import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';

// Shadow comparison and gates: the parts of the route file that decide what is compared, how,
// and when a route moves by itself. Every field is described for the exported JSON Schema.

const duration = z
  .union([
    z.number().int().nonnegative(),
    z
      .string()
      .regex(DURATION_PATTERN, 'a duration is a number of ms or a string like 500ms, 30s, 2m'),
  ])
  .transform(parseDuration)
  .describe('Milliseconds as a number, or a string with a unit: 500ms, 30s, 2m, 1h.');

const fraction = (what: string) =>
  z.number().min(0).max(1).describe(`${what}, a fraction from 0 to 1.`);

const pointerSchema = z
  .string()
  .describe(
    'JSON pointer into the body (RFC 6901, e.g. /items/*/updatedAt) where `*` stands for any one key or index and a final `**` for any rest; `header:<name>` for a header; `status` for the status code.',
  );

/** An ignore rule: a bare pointer, or one with who owns it, why, and until when it applies. */
export const ignoreRuleSchema = z.union([
  pointerSchema,
  z.strictObject({
    rule: pointerSchema,
    owner: z.string().trim().min(1).describe('Who answers for this rule (a person or team).'),
    reason: z.string().trim().min(1).describe('Why the difference does not matter.'),
    expires: z
      .union([z.iso.date(), z.iso.datetime({ offset: true })])
      .optional()
      .describe(
        'When the rule stops applying (2027-01-31, or a date-time with offset); the difference is counted again from then on.',
      ),
  }),
]);

const HEADER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const normalizeSchema = z
  .strictObject({
    sortArrays: z
      .array(
        z.strictObject({
          pointer: z.string().describe('Array to sort, e.g. /items (wildcards allowed).'),
          by: z
            .string()
            .optional()
            .describe('Field of each element to sort by (e.g. id). Omitted: the whole element.'),
        }),
      )
      .optional()
      .describe('Arrays whose order does not matter: both sides are sorted before comparing.'),
    numbers: z
      .array(
        z.strictObject({
          pointer: z
            .string()
            .describe('Numbers this applies to, e.g. /items/*/price; /** for every number.'),
          tolerance: z
            .number()
            .nonnegative()
            .optional()
            .describe('Largest absolute difference still equal.'),
          relative: z
            .number()
            .nonnegative()
            .optional()
            .describe(
              'Largest difference relative to the larger value (0.001 = 0.1%) still equal.',
            ),
        }),
      )
      .optional()
      .describe('Numbers equal within a tolerance (rounding, float formatting).'),
  })
  .describe('Normalizers applied before comparing bodies.');

const learnNoiseSchema = z
  .union([
    z.boolean(),
    z.strictObject({
      sample: fraction('Share of compared requests also sent to legacy a second time').default(0.1),
      warmup: z
        .number()
        .int()
        .nonnegative()
        .default(20)
        .describe('The first N compared requests all get the second legacy call. Default 20.'),
      margin: z
        .number()
        .nonnegative()
        .default(0.2)
        .describe(
          'A field is noise while its candidate diff rate stays within its noise rate × (1 + margin). Default 0.2.',
        ),
    }),
  ])
  .describe(
    'Learn noise (safe methods only): a sample of requests is sent to legacy twice; fields that differ between the two legacy answers are noise, and differences they explain are not mismatches. true = defaults (sample 0.1, warmup 20).',
  );

export const routeShadowSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('false turns comparison off for this route. Default true.'),
    sample: fraction('Share of eligible requests compared (default 1)').default(1),
    compareHeaders: z
      .array(z.string().regex(HEADER, 'a header name'))
      .optional()
      .describe(
        'Response headers compared (content-type by media type only). Default: the global shadow.compareHeaders (content-type, location).',
      ),
    ignore: z
      .array(ignoreRuleSchema)
      .default([])
      .describe(
        'Differences never counted, e.g. /generatedAt, /items/*/updatedAt, header:etag; or { rule, owner, reason, expires } to say who answers for one, why, and until when.',
      ),
    normalize: normalizeSchema.optional(),
    learnNoise: learnNoiseSchema.default(false),
    dryRun: z
      .boolean()
      .default(false)
      .describe(
        'The candidate can run writes as dry runs: unsafe methods are shadowed with `x-strangler-dry-run: 1`, and the new service must run the command and roll it back. Default false: unsafe methods are not shadowed.',
      ),
    canary: z
      .boolean()
      .default(true)
      .describe(
        'In canary mode, compare what new served (safe methods) with a copy sent to legacy. Default true.',
      ),
    timeout: duration
      .optional()
      .describe(
        "Time from the client's answer within which the shadow copy must be answered (queueing counts). Default: shadow.timeout.",
      ),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Largest request or response body compared. Default: shadow.maxBodyBytes.'),
  })
  .describe(
    'Shadow comparison for this route. In shadow mode legacy serves and a copy goes to new; answers are compared off the client’s path.',
  );

const ruleFields = {
  minSamples: z
    .number()
    .int()
    .positive()
    .describe('Fewest comparisons at the current stage before the rule is judged.'),
  minMatchRate: fraction('Lowest match rate allowed').optional(),
  maxErrorRateDiff: fraction(
    'Largest candidate error rate minus legacy error rate allowed',
  ).optional(),
  maxP99Ratio: z
    .number()
    .positive()
    .optional()
    .describe('Largest candidate p99 / legacy p99 allowed.'),
};

export const gatesSchema = z
  .strictObject({
    enabled: z
      .boolean()
      .default(true)
      .describe('false stops all automatic switches of this route. Default true.'),
    interval: duration.default(15_000).describe('How often the rules are evaluated. Default 15s.'),
    window: duration
      .default(600_000)
      .describe('Only comparisons this recent (and made at the current stage) count. Default 10m.'),
    cooldown: duration
      .default(1_800_000)
      .describe(
        'After a switch not made by the gates (admin API, CLI, file edit), gates wait this long. Default 30m.',
      ),
    promote: z
      .strictObject({
        steps: z
          .array(z.union([z.number().gt(0).lt(100).multipleOf(0.01), z.literal('new')]))
          .min(1)
          .default([10, 50, 'new'])
          .describe(
            'The path from shadow: canary percents in increasing order, optionally ending with "new". Default [10, 50, new].',
          ),
        minSamples: ruleFields.minSamples.default(200),
        minMatchRate: fraction('Lowest match rate to promote (default 0.99)').default(0.99),
        maxErrorRateDiff: fraction(
          'Largest candidate error rate minus legacy error rate to promote (default 0.01)',
        ).default(0.01),
        maxP99Ratio: z
          .number()
          .positive()
          .default(1.5)
          .describe('Largest candidate p99 / legacy p99 to promote. Default 1.5.'),
        minDuration: duration
          .default(300_000)
          .describe('Least time at a stage before the next promotion. Default 5m.'),
      })
      .optional()
      .describe(
        'Promotion: shadow -> canary steps -> new, one step per evaluation where every rule holds.',
      ),
    rollback: z
      .strictObject({
        to: z
          .enum(['shadow', 'legacy'])
          .default('shadow')
          .describe('Mode to fall back to. Default shadow (comparison goes on).'),
        minSamples: ruleFields.minSamples.default(20),
        minMatchRate: ruleFields.minMatchRate,
        maxErrorRateDiff: ruleFields.maxErrorRateDiff,
        maxP99Ratio: ruleFields.maxP99Ratio,
      })
      .optional()
      .describe(
        'Rollback: in canary, when any given rule is violated, switch back at once. Wins over promotion.',
      ),
  })
  .describe(
    'Automatic promotion and rollback from the comparison figures; every switch goes to the audit log with its figures.',
  );

export const shadowGlobalSchema = z
  .strictObject({
    queue: z
      .number()
      .int()
      .positive()
      .default(1000)
      .describe(
        'Most comparisons waiting; beyond it copies are dropped (counted as queue_full). Default 1000.',
      ),
    queueBytes: z
      .number()
      .int()
      .positive()
      .default(64 * 1024 * 1024)
      .describe('Most captured body bytes waiting in the queue. Default 64 MiB.'),
    maxLoopUtilization: z
      .number()
      .gt(0)
      .max(1)
      .default(0.9)
      .describe(
        'Busiest the shadow thread may be (share of time its event loop runs code, 0-1) before copies are shed, counted as busy. Comparisons run in that thread, never on the loop serving clients; on a machine too busy to give the thread CPU, its share rises too. 1 turns shedding off. Default 0.9.',
      ),
    concurrency: z
      .number()
      .int()
      .positive()
      .default(16)
      .describe('Shadow requests in flight at once (and connections per upstream). Default 16.'),
    timeout: duration
      .default(5000)
      .describe(
        "Time from the client's answer within which a shadow copy must be answered; time spent queued counts, and a copy that waited that long is dropped unsent. Default 5s.",
      ),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .default(1024 * 1024)
      .describe(
        'Largest body compared (request, and each response decoded); larger ones are counted as size. Default 1 MiB.',
      ),
    compareHeaders: z
      .array(z.string().regex(HEADER, 'a header name'))
      .default(['content-type', 'location'])
      .describe(
        'Response headers compared unless a route says otherwise. Default content-type, location.',
      ),
    keepMismatches: z
      .number()
      .int()
      .nonnegative()
      .default(50)
      .describe('Recent mismatches kept in memory per route. Default 50.'),
    store: z
      .union([
        z.strictObject({
          file: z
            .string()
            .describe('JSON lines file mismatches are appended to (relative to this file).'),
          maxBytes: z
            .number()
            .int()
            .positive()
            .default(50 * 1024 * 1024)
            .describe('Size at which the file is rotated to <file>.1. Default 50 MiB.'),
          keep: z.number().int().positive().default(3).describe('Rotated files kept. Default 3.'),
        }),
        z.strictObject({
          postgres: z
            .string()
            .refine((v) => /^postgres(ql)?:\/\//.test(v), {
              message:
                'must be a postgres:// URL (use ${VAR} to keep the password out of the file)',
            })
            .describe(
              'Postgres URL of a table shared by several proxies, e.g. ${SHADOW_DATABASE_URL}.',
            ),
          table: z
            .string()
            .regex(/^[a-z_][a-z0-9_]{0,62}$/, 'a lower-case SQL name (letters, digits, _)')
            .default('strangler_shadow_mismatches')
            .describe('Table, created on first use. Default strangler_shadow_mismatches.'),
          keep: z
            .number()
            .int()
            .positive()
            .default(10_000)
            .describe('Newest rows kept per route. Default 10,000.'),
        }),
      ])
      .optional()
      .describe(
        'Store mismatches (request, both answers, diff) for `strangler-proxy shadow replay`: a JSON lines file ({ file }) or a Postgres table shared by several proxies ({ postgres }). Authorization and cookies are redacted.',
      ),
  })
  .describe('Shadow comparison settings shared by all routes.');
