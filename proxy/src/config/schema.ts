import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from './duration.js';
import { MIN_SECRET_LENGTH } from './secrets.js';
import { parseSize, SIZE_PATTERN } from './size.js';
import { gatesSchema, routeShadowSchema, shadowGlobalSchema } from './shadow-schema.js';

// Every field carries a description: it is the documentation editors show from the exported JSON
// Schema, so it must say what the field does and what the default is.

const ID = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

const id = (what: string) =>
  z
    .string()
    .regex(ID, `${what} ids use letters, digits, '.', '_' and '-', starting with a letter or digit`)
    .describe(
      `Unique id of the ${what}, used by the admin API, the CLI, metrics and the audit log.`,
    );

const duration = z
  .union([
    z.number().int().nonnegative(),
    z
      .string()
      .regex(DURATION_PATTERN, 'a duration is a number of ms or a string like 500ms, 30s, 2m'),
  ])
  .transform(parseDuration)
  .describe('Milliseconds as a number, or a string with a unit: 500ms, 30s, 2m, 1h.');

const size = z
  .union([
    z.number().int().nonnegative(),
    z.string().regex(SIZE_PATTERN, 'a size is a number of bytes or a string like 16kb, 10mb'),
  ])
  .transform(parseSize)
  .describe('Bytes as a number, or a string with a unit: 512b, 16kb, 10mb, 1gb (1 kb = 1024).');

const limitsSchema = z
  .strictObject({
    maxHeaderBytes: size
      .pipe(z.number().min(1024, 'at least 1kb'))
      .default(16 * 1024)
      .describe(
        "Largest request header block (request line and headers); larger gets 431. Read at start only. Default 16kb (Node's).",
      ),
    maxBodyBytes: size
      .default(10 * 1024 ** 2)
      .describe(
        'Largest request body forwarded; larger gets 413 (at once when Content-Length says so, else when the count passes it, with the upstream request cut). 0: no limit. Default 10mb.',
      ),
    headersTimeout: duration
      .pipe(z.number().min(1000, 'at least 1s'))
      .default(10_000)
      .describe(
        'Time a client has to send its whole header block (slow senders, e.g. slowloris, are cut off and their socket freed). Default 10s.',
      ),
    requestTimeout: duration
      .pipe(z.number().min(1000, 'at least 1s'))
      .default(60_000)
      .describe(
        'Time a client has to send its whole request, body included (a trickled body is cut off at this point). Raise it for slow uploads. Default 60s.',
      ),
  })
  .describe('What the proxy accepts from clients.');

export const MODES = ['legacy', 'shadow', 'canary', 'new'] as const;

export const modeSchema = z
  .enum(MODES)
  .describe(
    'Who serves: legacy (the old system); shadow (legacy serves, and a copy of each request goes to new off the client’s path to compare the answers); canary (a sticky `percent` of keys served by new, the rest by legacy); new (the new service serves).',
  );

export const percentSchema = z
  .number()
  .min(0)
  .max(100)
  .multipleOf(0.01)
  .describe('Canary share served by new, 0-100 with up to two decimals. Used in canary mode.');

const stickySchema = z
  .union([
    z.strictObject({ header: z.string().regex(TOKEN).describe('Request header holding the key.') }),
    z.strictObject({
      cookie: z.string().regex(TOKEN).describe('Cookie holding the key.'),
      assign: z
        .boolean()
        .default(true)
        .describe(
          'When the cookie is missing, mint a random id and set it on the response so the client stays in its cohort. Default true.',
        ),
    }),
    z.strictObject({ query: z.string().min(1).describe('Query parameter holding the key.') }),
    z.strictObject({
      param: z
        .string()
        .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
        .describe(
          'Path parameter (e.g. `id` from /accounts/:id) holding the key: all requests for one aggregate go to the same system.',
        ),
    }),
  ])
  .describe(
    'Where the canary key comes from: exactly one of header, cookie, query or param. Requests without a key are served by legacy.',
  );

const upstreamTimeouts = z
  .strictObject({
    connect: duration.optional().describe('TCP connect timeout; on expiry the client gets 504.'),
    response: duration
      .optional()
      .describe('Time allowed until the response headers arrive; on expiry the client gets 504.'),
    idle: duration
      .optional()
      .describe(
        'Longest pause between two response body chunks; on expiry the client connection is closed.',
      ),
  })
  .describe('Timeouts overriding the top-level `timeouts` for this upstream.');

const readinessSchema = z
  .strictObject({
    path: z
      .string()
      .regex(/^\//, 'must start with /')
      .describe('Path asked with GET on the upstream, e.g. /status. A 2xx answer means ready.'),
    require: z
      .string()
      .regex(/^\//, 'must be a JSON pointer such as /caughtUp')
      .optional()
      .describe(
        'JSON pointer into the answer that must be `true`, e.g. /caughtUp for the new service.',
      ),
    timeout: duration.default(2000).describe('Time the readiness answer may take. Default 2s.'),
  })
  .describe(
    'Asked before any switch that sends clients to this upstream (canary or new, by the admin API, the CLI, a gate or a file edit); a not-ready answer refuses the switch. Switching back to legacy or to shadow is never held up.',
  );

const upstreamSchema = z
  .union([
    z.string().describe('Base URL, e.g. http://127.0.0.1:3000 (supports ${ENV_VAR}).'),
    z.strictObject({
      url: z.string().describe('Base URL, e.g. http://legacy.internal:8080 (supports ${ENV_VAR}).'),
      timeouts: upstreamTimeouts.optional(),
      connections: z
        .number()
        .int()
        .positive()
        .default(256)
        .describe('Most keep-alive connections the standalone proxy opens to it. Default 256.'),
      preserveHost: z
        .boolean()
        .default(true)
        .describe(
          "Send the client's Host header (default) rather than the upstream's host. X-Forwarded-Host carries it either way.",
        ),
      readiness: readinessSchema.optional(),
    }),
  ])
  .describe('An upstream: a URL string, or an object with url and options.');

const headerMatch = z
  .union([
    z.string().describe('The header must equal this value exactly.'),
    z
      .strictObject({
        equals: z.string().optional().describe('The header must equal this value.'),
        regex: z.string().optional().describe('The header must match this regular expression.'),
        present: z
          .boolean()
          .optional()
          .describe('true: the header must be present; false: it must be absent.'),
      })
      .describe('A header condition; all given conditions must hold.'),
  ])
  .describe('Condition on one request header (names are case-insensitive).');

const matchSchema = z
  .strictObject({
    path: z
      .string()
      .describe(
        'Path pattern: literal segments, `:name` (one segment, captured), `*` (one segment), and a final `**` (any rest, including none). Trailing slashes are ignored; the query string is never matched.',
      ),
    methods: z
      .array(z.string().regex(TOKEN, 'a method is an HTTP token such as GET'))
      .min(1)
      .optional()
      .describe('HTTP methods (case-insensitive). Omitted: every method.'),
    headers: z
      .record(z.string(), headerMatch)
      .optional()
      .describe('Header conditions, all of which must hold.'),
  })
  .describe('What the route matches. Routes are tried in file order; the first match wins.');

const roleUpstreams = z
  .strictObject({
    legacy: z.string().default('legacy').describe('Upstream serving the legacy side.'),
    new: z.string().default('new').describe('Upstream serving the new side.'),
  })
  .describe('Names (keys of `upstreams`) this route sends to. Default: legacy and new.');

const routeTimeouts = z
  .strictObject({
    response: duration.optional().describe('Time allowed until the response headers arrive.'),
    idle: duration.optional().describe('Longest pause between two response body chunks.'),
  })
  .describe('Timeouts for this route, overriding the upstream and top-level ones.');

export const routeSchema = z
  .strictObject({
    id: id('route'),
    description: z.string().optional().describe('Free text shown by `routes list`.'),
    group: z
      .string()
      .optional()
      .describe(
        'Id of a group this route belongs to. Its mode, percent and sticky key then come from the group, which switches all its routes together.',
      ),
    match: matchSchema,
    mode: modeSchema.optional(),
    percent: percentSchema.optional(),
    sticky: stickySchema.optional(),
    upstreams: roleUpstreams.optional(),
    timeouts: routeTimeouts.optional(),
    shadow: routeShadowSchema.optional(),
    gates: gatesSchema.optional(),
  })
  .describe('A route: what it matches and who serves it.');

const catchUpSchema = z
  .strictObject({
    barrier: z
      .string()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .describe(
        "POSTed once writes are held and drained: the capture on the side that wrote (the legacy adapter's status port /barrier, or the service outbox adapter's) answers the topic and offsets that hold everything committed there so far.",
      ),
    applied: z
      .string()
      .regex(/^https?:\/\//, 'must be an http(s) URL')
      .describe(
        "Asked with ?topic=&offsets= until it answers 2xx: the side taking over has applied those offsets (the new service's /applied, or the write-back's).",
      ),
  })
  .describe('How the side taking over is known to have caught up with the side that wrote.');

const writesSchema = z
  .strictObject({
    hold: duration
      .default(5000)
      .describe(
        'Longest a write to the group is held while the group moves; past it the write gets 503 with Retry-After, and a switch not done by then is called off (writes go on where they went). Default 5s.',
      ),
    toNew: catchUpSchema.optional().describe('Checked before writes move from legacy to new.'),
    toLegacy: catchUpSchema
      .optional()
      .describe('Checked before writes move back from new to legacy (a rollback).'),
  })
  .describe(
    "The group's routes write one aggregate: a switch that changes who takes its writes (legacy or shadow <-> new) is a barrier: new writes are held, writes in flight finish, the other side catches up, then the group moves and the held writes go on. Canary is refused: one aggregate never has two writers.",
  );

export const groupSchema = z
  .strictObject({
    id: id('group'),
    description: z.string().optional().describe('Free text, e.g. the aggregate the group writes.'),
    mode: modeSchema.default('legacy'),
    percent: percentSchema.optional(),
    sticky: stickySchema.optional(),
    writes: writesSchema.optional(),
    gates: gatesSchema
      .optional()
      .describe(
        "Automatic switches of the whole group, decided on the comparisons of all its routes together. A write group's only step is shadow -> new, behind the write barrier.",
      ),
  })
  .describe(
    'Routes that switch together, e.g. every write route of one aggregate, so the aggregate never has two writers.',
  );

const listenSchema = z
  .strictObject({
    host: z.string().optional().describe('Interface to listen on. Default 0.0.0.0 (all).'),
    port: z.number().int().min(0).max(65535).optional().describe('Port. Default 8080.'),
  })
  .describe('Where the proxy listens. Read at start only; flags and environment take precedence.');

const adminSchema = z
  .strictObject({
    host: z.string().optional().describe('Admin interface. Default 127.0.0.1 (local only).'),
    port: z.number().int().min(0).max(65535).optional().describe('Admin port. Default 8081.'),
    token: z
      .string()
      .min(MIN_SECRET_LENGTH, `the admin token must be at least ${MIN_SECRET_LENGTH} characters`)
      .optional()
      .describe(
        'Bearer token for the admin API; use ${ENV_VAR}. STRANGLER_ADMIN_TOKEN takes precedence.',
      ),
    auditLog: z
      .string()
      .optional()
      .describe(
        'File (JSON lines) every switch is appended to, relative to this file. Default: <config file>.audit.jsonl beside it.',
      ),
    metricsRequireToken: z
      .boolean()
      .default(false)
      .describe(
        'Require the bearer token on /metrics too. Default false (scrapers often lack it).',
      ),
  })
  .describe('Admin API (its own port). Read at start only, except the token.');

const overrideSchema = z
  .strictObject({
    header: z
      .string()
      .regex(TOKEN)
      .default('x-strangler-override')
      .describe('Header testers send to force a side. Default x-strangler-override.'),
    secret: z
      .string()
      .min(
        MIN_SECRET_LENGTH,
        `the override secret must be at least ${MIN_SECRET_LENGTH} characters`,
      )
      .optional()
      .describe(
        'HMAC-SHA256 secret signing override tokens; use ${ENV_VAR}. Without it every override is ignored (and counted).',
      ),
  })
  .describe(
    'Signed tester override: `<legacy|new>.<expiry unix seconds>.<signature>`; make one with `strangler-proxy sign-override`.',
  );

export const configSchema = z
  .strictObject({
    $schema: z.string().optional().describe('JSON Schema reference for editors; ignored.'),
    upstreams: z
      .record(z.string().regex(ID), upstreamSchema)
      .describe(
        'Named upstreams. `legacy` receives every request no route matches; routes use `legacy` and `new` unless they name others.',
      ),
    routes: z.array(routeSchema).default([]).describe('The route table, tried in order.'),
    groups: z.array(groupSchema).default([]).describe('Route groups that switch together.'),
    sticky: stickySchema
      .default({ cookie: 'strangler-id', assign: true })
      .describe('Default canary key for routes and groups without one: cookie strangler-id.'),
    override: overrideSchema.default({ header: 'x-strangler-override' }),
    timeouts: z
      .strictObject({
        connect: duration.default(5000).describe('TCP connect timeout. Default 5s.'),
        response: duration
          .default(60_000)
          .describe('Time allowed until response headers. Default 60s.'),
        idle: duration
          .default(60_000)
          .describe('Longest pause inside a response body. Default 60s.'),
        shutdown: duration
          .default(30_000)
          .describe('On SIGTERM, how long in-flight requests may take to finish. Default 30s.'),
      })
      .default({ connect: 5000, response: 60_000, idle: 60_000, shutdown: 30_000 })
      .describe('Default timeouts.'),
    limits: limitsSchema.default({
      maxHeaderBytes: 16 * 1024,
      maxBodyBytes: 10 * 1024 ** 2,
      headersTimeout: 10_000,
      requestTimeout: 60_000,
    }),
    servedByHeader: z
      .union([z.string().regex(TOKEN), z.literal(false)])
      .default('x-served-by')
      .describe(
        'Response header naming the side that served (legacy or new); false turns it off. Default x-served-by.',
      ),
    requestIdHeader: z
      .string()
      .regex(TOKEN)
      .default('x-request-id')
      .describe(
        'Request id header: passed on when present, generated when absent. Default x-request-id.',
      ),
    trustForwardedHeaders: z
      .boolean()
      .default(false)
      .describe(
        "Extend the client's X-Forwarded-For/-Proto/-Host and Forwarded with ours (set true behind a trusted load balancer). Default false: the client's are replaced, so a client cannot forge its address.",
      ),
    accessLog: z
      .boolean()
      .default(false)
      .describe('Log one line per request (errors are always logged). Default false.'),
    listen: listenSchema.optional(),
    admin: adminSchema.optional(),
    shadow: shadowGlobalSchema.prefault({}),
  })
  .describe('strangler-proxy route file.');
