import type { ServiceCliOptions } from '@strangler/new-service';
import { bootstrap, DEFAULTS } from './bootstrap.js';

const options = {
  topic: {
    type: 'string',
    flag: 'topic',
    env: 'STRANGLER_EVENTS_TOPIC',
    default: DEFAULTS.topic,
    description: 'topic of the allocation events',
  },
  group: {
    type: 'string',
    flag: 'group',
    env: 'STRANGLER_CONSUMER_GROUP',
    default: DEFAULTS.group,
    description: 'Kafka consumer group',
  },
  readCache: {
    type: 'boolean',
    flag: 'read-cache',
    env: 'READ_CACHE',
    default: true,
    description: 'keep availability answers in memory, dropped on each change (LISTEN/NOTIFY)',
  },
} as const;

/** `allocation-service`: the kit's CLI with the allocation service's own flags. */
export const allocationCli: ServiceCliOptions<typeof options> = {
  name: 'allocation-service',
  description:
    'the new allocation service: its own model built from the events on Kafka, GET /products/:sku/availability as the legacy monolith answers it',
  defaults: { port: 3001 },
  options,
  service: ({ options: o }) => bootstrap(o),
};
