// The text of --help: every flag with its environment variable, and the exit codes.
export const HELP = `Usage: strangler-legacy-adapter --catalog FILE (--mapper FILE | --outbox TABLE) --topic NAME [options]

Captures the legacy database's changes (logical replication, pgoutput), maps them to your events
with your mapper and publishes them to Kafka. The first start loads the existing rows from a
consistent snapshot. Flags win over environment variables (in brackets).

Required:
  --catalog FILE            module exporting your event catalog (defineCatalog), as default
                            export or "catalog"; ESM or CommonJS [STRANGLER_CATALOG]
  --mapper FILE             module exporting your mapper (defineMapper), as default export or
                            "mapper"; may be the same file as --catalog [STRANGLER_MAPPER]
  --outbox TABLE            outbox mode instead of a mapper: publish the rows inserted into
                            TABLE (Debezium's outbox layout), e.g. public.strangler_outbox
                            [STRANGLER_OUTBOX]
  --topic NAME              topic for the events [STRANGLER_EVENTS_TOPIC]
  --database-url URL        legacy database; role with REPLICATION [LEGACY_DATABASE_URL, DATABASE_URL]
  --kafka-brokers LIST      comma-separated host:port [KAFKA_BROKERS]

Options:
  --on-mapping-error MODE   stop (default) or dead-letter [STRANGLER_ON_MAPPING_ERROR]
  --dead-letter-topic NAME  default <topic>.dead-letters [STRANGLER_DEAD_LETTER_TOPIC]
  --on-truncate MODE        without mapTruncate in the mapper: stop (default) or skip
                            [STRANGLER_ON_TRUNCATE]
  --slot NAME               replication slot (default strangler_adapter) [STRANGLER_SLOT]
  --publication NAME        publication (default strangler_adapter) [STRANGLER_PUBLICATION]
  --source URI              CloudEvents source, part of every event id; keep it stable
                            (default /strangler/legacy-adapter/<slot>) [STRANGLER_SOURCE]
  --skip-origins LIST       replication origins not captured (default strangler_writeback)
                            [STRANGLER_SKIP_ORIGINS]
  --alter-replica-identity  set REPLICA IDENTITY FULL where the mapper needs old rows
  --resnapshot              the slot is gone: publish the current state as a new snapshot
  --publish-timeout-ms N    a Kafka request unanswered this long gets a new producer and is
                            sent again (default 30000) [STRANGLER_PUBLISH_TIMEOUT_MS]
  --linger-ms N             a transaction waits up to N ms for later ones to share its Kafka
                            request, saving CPU at high rates (default 5; 0: none)
                            [STRANGLER_LINGER_MS]
  --status-port N           serve GET /healthz and GET /status on this port
                            [STRANGLER_ADAPTER_STATUS_PORT]
  --status-host HOST        interface of the status port (default 127.0.0.1)
                            [STRANGLER_ADAPTER_STATUS_HOST]
  --log-level LEVEL         pino level (default info) [LOG_LEVEL]
  -h, --help                show this help

Exit codes: 0 stopped by SIGINT/SIGTERM; 1 a failure a restart may cure (database or Kafka
unreachable, replication ended); 2 a failure a restart repeats: bad configuration, a source it
refuses to capture, a lost slot, a mapping error or an unmapped TRUNCATE (one line on stderr
says what and where).
`;
