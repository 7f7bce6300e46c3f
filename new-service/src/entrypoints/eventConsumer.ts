import { eventTypes, parseKafkaMessage, type DomainEvent } from '@strangler/event-schemas';
import type { KafkaMessage } from 'kafkajs';
import type { Logger } from 'pino';
import type { Command } from '../domain/index.js';
import {
  consumeBatch,
  consumeMessage,
  type ConsumeDependencies,
  type IncomingMessage,
  type Translation,
} from '../serviceLayer/consume.js';
import type { ConsumeResult } from '../serviceLayer/consume.js';
import type { ConsumeOutcome, EventIdentity } from '../types.js';

/**
 * The integration event (a CloudEvent from Kafka) as the service's own command, or why it can
 * never be one. Decoding and validation are event-schemas'; this is only the translation.
 */
export function translate(message: KafkaMessage): Translation {
  const parsed = parseKafkaMessage(message);
  if (!parsed.ok) {
    const { error } = parsed;
    const { eventId, eventSource, eventType } = error.details;
    const event =
      eventId !== undefined && eventSource !== undefined
        ? { id: eventId, source: eventSource, type: eventType ?? 'unknown' }
        : undefined;
    return {
      ok: false,
      reason: { code: error.code, message: error.message, details: error.toJSON() },
      ...(event ? { event } : {}),
    };
  }
  const { event } = parsed;
  const identity: EventIdentity = { source: event.source, id: event.id, type: event.type };
  return { ok: true, event: identity, command: toCommand(event) };
}

function toCommand(event: DomainEvent): Command {
  const version = event.data.version === undefined ? {} : { version: event.data.version };
  switch (event.type) {
    case eventTypes.ProductCreated:
      return { type: 'RecordProduct', sku: event.data.sku, ...version };
    case eventTypes.BatchCreated: {
      const { ref, sku, qty, eta } = event.data;
      return { type: 'RecordBatch', sku, ref, qty, eta, ...version };
    }
    case eventTypes.BatchQuantityChanged: {
      const { ref, sku, qty } = event.data;
      return { type: 'RecordBatchQuantity', sku, ref, qty, ...version };
    }
    case eventTypes.BatchEtaChanged: {
      const { ref, sku, eta } = event.data;
      return { type: 'RecordBatchEta', sku, ref, eta, ...version };
    }
    case eventTypes.Allocated: {
      const { orderid, sku, qty, batchref } = event.data;
      return { type: 'RecordAllocation', sku, orderid, qty, batchref, ...version };
    }
    case eventTypes.Deallocated: {
      const { orderid, sku, qty, batchref } = event.data;
      return { type: 'RecordDeallocation', sku, orderid, qty, batchref, ...version };
    }
    default: {
      const unhandled: never = event;
      throw new Error(`no command for event ${JSON.stringify(unhandled)}`);
    }
  }
}

/** Messages processed since start, by outcome. */
export type OutcomeCounts = Record<ConsumeOutcome, number>;

/** The consumer entry point: one Kafka message in, translated, applied exactly once. */
export function eventConsumer(deps: ConsumeDependencies, topic: string, logger: Logger) {
  const log = logger.child({ component: 'events', topic });
  const counts: OutcomeCounts = {
    applied: 0,
    unchanged: 0,
    stale: 0,
    duplicate: 0,
    dead_lettered: 0,
    already_processed: 0,
  };
  const incoming = (partition: number, message: KafkaMessage): IncomingMessage => ({
    position: { topic, partition, offset: message.offset },
    translation: translate(message),
    message: {
      key: message.key,
      value: message.value,
      headers: message.headers ?? {},
      timestamp: message.timestamp,
    },
  });
  const record = ({ position, translation }: IncomingMessage, result: ConsumeResult) => {
    const { outcome, reason } = result;
    counts[outcome] += 1;
    const fields = {
      partition: position.partition,
      offset: position.offset,
      event: translation.event,
      outcome,
    };
    if (outcome === 'dead_lettered') {
      log.warn({ ...fields, reason: reason?.code, why: reason?.message }, 'message dead-lettered');
    } else if (log.isLevelEnabled('debug')) log.debug(fields, 'message consumed');
  };
  const consume = async (partition: number, message: KafkaMessage): Promise<ConsumeResult> => {
    const one = incoming(partition, message);
    const result = await consumeMessage(deps, one);
    record(one, result);
    return result;
  };
  /** Several messages of one partition, in offset order, in one transaction (see consumeBatch). */
  const consumeMany = async (
    partition: number,
    messages: KafkaMessage[],
  ): Promise<ConsumeResult[]> => {
    const batch = messages.map((m) => incoming(partition, m));
    const results = await consumeBatch(deps, batch);
    batch.forEach((m, i) => record(m, results[i]!));
    return results;
  };
  return { consume, consumeMany, counts };
}
