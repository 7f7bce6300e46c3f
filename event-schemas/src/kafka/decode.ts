import { JSON_MEDIA_TYPE } from '../envelope.js';
import { EventSchemaError } from '../errors.js';
import { preview } from '../issues.js';
import { checkEnvelope } from '../envelope-check.js';
import type { DecodeResult, EventIssue, KafkaIncomingMessage } from '../types.js';
import { isUtf8Charset, mediaType, readJson, unsupported } from './content.js';
import { decodeText, readHeaders } from './headers.js';

const REQUIRED_HEADERS = ['specversion', 'id', 'source', 'type'] as const;
const STRUCTURED_PREFIX = /^application\/cloudevents/i;
const STRUCTURED_JSON = 'application/cloudevents+json';

/**
 * Decodes what a kafkajs consumer receives into a CloudEvent in JSON format, from either content
 * mode: binary (`ce_*` headers, JSON data in the value) or structured (`content-type:
 * application/cloudevents+json`, the whole event in the value). The envelope is validated; `data`
 * is left for {@link parseEvent}.
 *
 * Never throws for bad input: `DECODE_FAILED` when the message cannot be read as a CloudEvent,
 * `INVALID_ENVELOPE` when an attribute is malformed.
 */
export function fromKafkaMessage(message: KafkaIncomingMessage): DecodeResult {
  const headers = readHeaders(message.headers);
  if (Array.isArray(headers)) return failed(headers, undefined);
  const eventId = headers.attributes.get('id');
  const fail = (issues: EventIssue[]) => failed(issues, eventId);

  let key: string | undefined;
  if (message.key !== undefined && message.key !== null) {
    key = decodeText(message.key);
    if (key === undefined)
      return fail([{ path: 'key', code: 'invalid_encoding', message: 'is not valid UTF-8' }]);
  }

  const contentType = headers.contentType;
  const structured = contentType !== undefined && STRUCTURED_PREFIX.test(contentType);
  let candidate: Record<string, unknown>;
  if (structured) {
    if (mediaType(contentType) !== STRUCTURED_JSON || !isUtf8Charset(contentType)) {
      return fail([
        unsupported(
          contentType,
          'of the structured formats only application/cloudevents+json is supported',
        ),
      ]);
    }
    const json = readJson(message.value, 'the whole event (structured mode)');
    if (!json.ok) return fail([json.issue]);
    if (typeof json.value !== 'object' || json.value === null || Array.isArray(json.value)) {
      return fail([
        {
          path: 'value',
          code: 'invalid_type',
          message: `must be a JSON object in structured mode (got ${preview(json.value)})`,
        },
      ]);
    }
    candidate = { ...(json.value as Record<string, unknown>) };
  } else {
    const missing = REQUIRED_HEADERS.filter((name) => !headers.attributes.has(name));
    if (missing.length > 0) {
      return fail(
        missing.map((name) => ({
          path: `headers.ce_${name}`,
          code: 'missing_header',
          message: 'is required in binary mode',
        })),
      );
    }
    for (const name of ['data', 'data_base64']) {
      if (headers.attributes.has(name)) {
        return fail([
          {
            path: `headers.ce_${name}`,
            code: 'reserved_header',
            message: 'is not an attribute: data travels in the value',
          },
        ]);
      }
    }
    if (
      contentType !== undefined &&
      (!JSON_MEDIA_TYPE.test(contentType) || !isUtf8Charset(contentType))
    ) {
      return fail([unsupported(contentType, 'the data must be UTF-8 JSON (application/json)')]);
    }
    const json = readJson(message.value, 'the data');
    if (!json.ok) return fail([json.issue]);
    candidate = Object.fromEntries(headers.attributes);
    if (contentType !== undefined) candidate.datacontenttype = contentType;
    candidate.data = json.value;
  }

  if (key !== undefined) {
    if (candidate.partitionkey === undefined || candidate.partitionkey === null)
      candidate.partitionkey = key;
    else if (candidate.partitionkey !== key) {
      const message = `partitionkey ${preview(candidate.partitionkey)} differs from the message key ${preview(key)}`;
      return fail([{ path: 'key', code: 'partitionkey_mismatch', message }]);
    }
  }

  const event = checkEnvelope(candidate);
  return event instanceof EventSchemaError ? { ok: false, error: event } : { ok: true, event };
}

function failed(issues: EventIssue[], eventId: string | undefined): DecodeResult {
  const details = eventId === undefined ? { issues } : { issues, eventId };
  return {
    ok: false,
    error: new EventSchemaError('DECODE_FAILED', 'Cannot decode Kafka message', details),
  };
}
