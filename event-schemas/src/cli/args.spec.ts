import { describe, expect, it } from 'vitest';
import { parseCommandLine } from './args.js';

describe('parseCommandLine', () => {
  it('defaults check to BACKWARD and takes Confluent mode names in any case', () => {
    expect(parseCommandLine(['check', '--catalog', 'c.js'])).toEqual({
      command: 'check',
      catalog: 'c.js',
      mode: 'BACKWARD',
      allowUnreleased: false,
    });
    for (const [given, mode] of [
      ['forward', 'FORWARD'],
      ['Full', 'FULL'],
      ['BACKWARD_TRANSITIVE', 'BACKWARD'],
      ['full_transitive', 'FULL'],
    ]) {
      expect(
        parseCommandLine(['check', '--catalog', 'c.js', '--mode', given as string]),
      ).toMatchObject({
        mode,
      });
    }
  });

  it('takes repeated topics and the options of export', () => {
    expect(
      parseCommandLine([
        'export',
        '--catalog=c.js',
        '--out',
        'docs',
        '--topic',
        'a',
        '--topic',
        'b',
        '--doc-version',
        '1.0.0',
        '--check',
      ]),
    ).toEqual({
      command: 'export',
      catalog: 'c.js',
      out: 'docs',
      topics: ['a', 'b'],
      docVersion: '1.0.0',
      check: true,
    });
  });

  it('treats no arguments and -h as a request for help', () => {
    expect(parseCommandLine([])).toEqual({ command: 'help' });
    expect(parseCommandLine(['check', '-h'])).toEqual({ command: 'help' });
  });

  it('refuses NONE, options of another command and stray arguments', () => {
    expect(() => parseCommandLine(['check', '--catalog', 'c.js', '--mode', 'NONE'])).toThrow(
      '--mode NONE: use BACKWARD (default), FORWARD or FULL',
    );
    expect(() => parseCommandLine(['snapshot', '--catalog', 'c.js', '--out', 'x'])).toThrow(
      'snapshot takes no --out',
    );
    expect(() => parseCommandLine(['check', 'c.js'])).toThrow('unexpected argument "c.js"');
  });
});
