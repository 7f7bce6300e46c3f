import { describe, expect, it } from 'vitest';
import { compareAnswers, type Answer, type CompareSettings } from './compare.js';
import { NO_NORMALIZERS } from './normalize.js';
import { compileRules } from './pointer.js';
import { clipDiff, renderDiff } from './render.js';

const settings = (over: Partial<CompareSettings> = {}): CompareSettings => ({
  compareHeaders: ['content-type', 'location'],
  ignore: compileRules([]),
  normalizers: NO_NORMALIZERS,
  maxEntries: 50,
  ...over,
});

const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { 'content-type': 'application/json; charset=utf-8', ...headers },
  body: Buffer.from(JSON.stringify(value)),
});

describe('compareAnswers', () => {
  it('matches answers equal in status, compared headers and body structure', () => {
    const a = json(200, { a: 1, b: 2 }, { 'x-request-id': 'one' });
    const b = {
      ...json(200, { b: 2, a: 1 }, { 'x-request-id': 'two' }),
      headers: { 'content-type': 'application/json' },
    };
    expect(compareAnswers(a, b, settings()).entries).toEqual([]);
  });

  it('reports the status, a compared header and body fields', () => {
    const a = json(200, { qty: 1 }, { location: '/a' });
    const b = json(201, { qty: 2 }, { location: '/b' });
    const result = compareAnswers(a, b, settings());
    expect(result.bodyKind).toBe('json');
    expect(result.entries).toEqual([
      { pointer: 'status', kind: 'value', legacy: 200, candidate: 201 },
      { pointer: 'header:location', kind: 'value', legacy: '/a', candidate: '/b' },
      { pointer: '/qty', kind: 'value', legacy: 1, candidate: 2 },
    ]);
  });

  it('ignores headers and the status by rule', () => {
    const a = json(200, {}, { location: '/a' });
    const b = json(202, {}, {});
    expect(
      compareAnswers(a, b, settings({ ignore: compileRules(['header:location', 'status']) }))
        .entries,
    ).toEqual([]);
  });

  it('reports a candidate that answers garbage where legacy answers JSON as a format difference', () => {
    const garbage: Answer = {
      status: 200,
      headers: { 'content-type': 'application/octet-stream' },
      body: Buffer.from([0xff, 0x00, 0x13, 0x37]),
    };
    const result = compareAnswers(json(200, { ok: true }), garbage, settings());
    expect(result.entries.map((e) => [e.pointer, e.kind])).toEqual([
      ['header:content-type', 'value'],
      ['body', 'format'],
    ]);
    expect(String(result.entries[1]?.candidate)).toMatch(/^not JSON, 4 bytes/);
  });

  it('compares text bodies by lines and other bodies by hash', () => {
    const text = (body: string): Answer => ({
      status: 200,
      headers: { 'content-type': 'text/html' },
      body: Buffer.from(body),
    });
    expect(
      compareAnswers(text('<p>\nhi\n</p>'), text('<p>\nho\n</p>'), settings()).entries.map(
        (e) => e.pointer,
      ),
    ).toEqual(['line:2', 'line:2']);
    const bin = (bytes: number[]): Answer => ({
      status: 200,
      headers: { 'content-type': 'image/png' },
      body: Buffer.from(bytes),
    });
    expect(compareAnswers(bin([1, 2]), bin([1, 2]), settings()).entries).toEqual([]);
    expect(compareAnswers(bin([1, 2]), bin([1, 3]), settings()).entries).toEqual([
      {
        pointer: 'body',
        kind: 'hash',
        legacy: expect.stringMatching(/^sha256:/),
        candidate: expect.stringMatching(/^sha256:/),
      },
    ]);
  });

  it('treats two empty bodies as equal', () => {
    const empty = (status: number): Answer => ({
      status,
      headers: { 'content-type': 'application/json' },
      body: Buffer.alloc(0),
    });
    expect(compareAnswers(empty(204), empty(204), settings()).entries).toEqual([]);
  });
});

describe('diff rendering', () => {
  it('prints one line per difference and clips long values', () => {
    const entries = clipDiff(
      [
        { pointer: '/qty', kind: 'value', legacy: 3, candidate: 4 },
        { pointer: '/note', kind: 'missing', legacy: 'x'.repeat(500) },
        { pointer: '/extra', kind: 'extra', candidate: { a: 1 } },
      ],
      10,
    );
    expect(String(entries[1]?.legacy)).toMatch(/\(500 chars\)$/);
    const text = renderDiff(entries, 2);
    expect(text.split('\n')).toEqual([
      '~ /qty: 3 -> 4',
      expect.stringMatching(/^- \/note \(legacy only\): "x{200}\.\.\. \(500 chars\)"$/),
      '+ /extra (candidate only): {"a":1}',
      '... and 2 more',
    ]);
  });
});
