export const HELP = `strangler-proxy — routing proxy for strangler-fig migrations

Usage:
  strangler-proxy [serve] --config FILE [options]   run the proxy and its admin API
  strangler-proxy check --config FILE               validate a route file and exit
  strangler-proxy schema                            print the route file's JSON Schema
  strangler-proxy routes list [--json]              routes, modes and stats of a running proxy
  strangler-proxy routes set ID MODE [--percent N] --reason TEXT [--actor NAME]
                                                    switch a route or group (legacy|shadow|canary|new)
  strangler-proxy routes status                     reload status of the route file
  strangler-proxy routes reload                     reload the route file now
  strangler-proxy routes audit [--limit N] [--json] recent switches and accepted ignore rules
  strangler-proxy routes fleet [--json]             replicas sharing the control plane, the version
                                                    each serves; exit 1 while it is unreachable
  strangler-proxy control export --control-db URL    print the shared route table (a route file)
  strangler-proxy control import --config FILE --reason TEXT --control-db URL
                                                    publish a route file as the next version
  strangler-proxy sign-override legacy|new [--ttl 1h]
                                                    print a signed tester override header value
  strangler-proxy shadow report [ROUTE] [--json]    match rates, latency, skips of a running proxy
  strangler-proxy shadow mismatches ROUTE [--limit N]
                                                    recent mismatches with their diff
  strangler-proxy shadow noise ROUTE [--json]       learned noise, suggested and current ignore rules
  strangler-proxy shadow replay --store FILE|URL --candidate URL [--route ID] [--limit N]
                        [--header "name: value"]... [--timeout 10s] [--json]
                                                    replay stored mismatches against a candidate;
                                                    exit 0 when all now match, 1 otherwise

Serve options (flag / environment, flags win):
  --config FILE        STRANGLER_PROXY_CONFIG   route file (YAML), watched and written back
  --port N             PORT                     proxy port (default: listen.port, else 8080)
  --host HOST          HOST                     proxy interface (default: listen.host, else 0.0.0.0)
  --admin-port N       STRANGLER_ADMIN_PORT     admin port (default: admin.port, else 8081)
  --admin-host HOST    STRANGLER_ADMIN_HOST     admin interface (default: admin.host, else 127.0.0.1)
                       STRANGLER_ADMIN_TOKEN    admin bearer token (else admin.token in the file)
  --audit-log FILE     STRANGLER_AUDIT_LOG      audit log (default: <config>.audit.jsonl)
  --control-db URL     STRANGLER_CONTROL_DB     Postgres shared by several proxies: route table
                                                versions, switches, audit log (the first one
                                                imports --config); see the README
  --log-level LEVEL    LOG_LEVEL                pino level (default info)
  --no-admin                                    run without the admin API

Admin client options (routes ..., shadow report|mismatches|noise):
  --admin-url URL      STRANGLER_ADMIN_URL      default http://127.0.0.1:$STRANGLER_ADMIN_PORT (8081)
  --token TOKEN        STRANGLER_ADMIN_TOKEN

sign-override options:
  --secret S           STRANGLER_OVERRIDE_SECRET  (or --config FILE to read override.secret)
  --ttl DURATION       how long the token is valid (default 1h)

shadow replay options:
  --store FILE|URL     STRANGLER_SHADOW_STORE     mismatch store: shadow.store.file, or the postgres:// URL
                                                  of shadow.store.postgres (--table if not the default)
  --candidate URL      STRANGLER_REPLAY_CANDIDATE base URL of the build to check
  --header "n: v"                                 added to each request (credentials were redacted)

Exit codes: 0 ok, 1 failure, 2 bad usage or invalid config.
`;
