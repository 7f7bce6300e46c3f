import { z } from 'zod';
import { nonEmptyString, rfc3339Timestamp } from './fields.js';
import { isAbsoluteUri, isUriReference } from './uri.js';

/** CloudEvents: attribute names are lower-case ASCII letters and digits (a MUST). */
export const ATTRIBUTE_NAME = /^[a-z0-9]+$/;
/** CloudEvents: attribute names SHOULD NOT exceed 20 characters; we hold our own to it. */
export const MAX_ATTRIBUTE_NAME_LENGTH = 20;

const uriReference = () =>
  nonEmptyString()
    .refine(isUriReference, {
      error: 'must be an RFC 3986 URI-reference, e.g. /legacy/postgres/shop or urn:shop:legacy',
    })
    .meta({ format: 'uri-reference' });
const absoluteUri = () =>
  nonEmptyString()
    .refine(isAbsoluteUri, {
      error: 'must be an absolute RFC 3986 URI, e.g. https://example.com/schemas/batch.json',
    })
    .meta({ format: 'uri' });

/** `*\/json` or `*\/*+json`, with parameters: what the JSON event format counts as JSON data. */
export const JSON_MEDIA_TYPE = /^[a-z0-9!#$&^_.+-]+\/(?:[a-z0-9!#$&^_.+-]+\+)?json\s*(?:;.*)?$/i;

/** The attributes (besides `data` and `datacontenttype`) shared by both directions. */
const attributes = {
  specversion: z.literal('1.0', { error: 'must be "1.0" (CloudEvents 1.0)' }),
  id: nonEmptyString(),
  source: uriReference(),
  type: nonEmptyString(),
  subject: nonEmptyString().optional(),
  time: rfc3339Timestamp(),
  dataschema: absoluteUri().optional(),
  sourceposition: nonEmptyString().optional(),
  sourcetx: nonEmptyString().optional(),
  causationid: nonEmptyString().optional(),
  correlationid: nonEmptyString().optional(),
};

const data = z.unknown().refine((value) => value !== undefined, { error: 'is required' });

/**
 * The envelope a producer must emit: every attribute known, nothing else (an unknown attribute on
 * our side is a typo). `data` is checked against the catalog separately.
 */
export const producedEnvelopeSchema = z.strictObject({
  ...attributes,
  datacontenttype: z.literal('application/json', { error: 'must be "application/json"' }),
  partitionkey: nonEmptyString(),
  data,
});

/** The names of the attributes this package knows, `data` excluded. */
export const KNOWN_ATTRIBUTES: ReadonlySet<string> = new Set(
  Object.keys(producedEnvelopeSchema.shape).filter((name) => name !== 'data'),
);

/** JSON format members that are not attributes, so never extension names. */
const RESERVED_MEMBERS = new Set(['data', 'data_base64']);

const extensionValue = z.union([z.string(), z.int(), z.boolean()], {
  error: 'an extension attribute must be a string, an integer or a boolean',
});

/**
 * The envelope a consumer accepts: the known attributes validated as strictly as on produce, but
 * extension attributes we do not know are allowed (CloudEvents lets any hop add them) as long as
 * their names and values follow the CloudEvents rules. `datacontenttype` may be any JSON media type
 * or absent, and `partitionkey` may be absent (it is then taken from the data).
 */
export const consumedEnvelopeSchema = z
  .object({
    ...attributes,
    datacontenttype: z
      .string({ error: 'must be a string' })
      .regex(JSON_MEDIA_TYPE, { error: 'must be a JSON media type such as application/json' })
      .optional(),
    partitionkey: nonEmptyString().optional(),
    data,
  })
  .catchall(extensionValue)
  .superRefine((envelope, ctx) => {
    if ('data_base64' in envelope) {
      ctx.addIssue({
        code: 'custom',
        path: ['data_base64'],
        message: 'binary data is not supported: the events of this catalog carry JSON data',
      });
    }
    for (const name of Object.keys(envelope)) {
      if (KNOWN_ATTRIBUTES.has(name) || RESERVED_MEMBERS.has(name)) continue;
      if (!ATTRIBUTE_NAME.test(name)) {
        ctx.addIssue({
          code: 'custom',
          path: [name],
          message:
            'is not a valid CloudEvents attribute name (lower-case letters a-z and digits only)',
        });
      }
    }
  });

/**
 * CloudEvents JSON format: an attribute set to null is the same as an absent one. Dropping those
 * first keeps every schema free of `.nullable()` on attributes.
 */
export function withoutNullAttributes(input: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(input)) {
    if (value !== null || name === 'data') out[name] = value;
  }
  return out;
}
