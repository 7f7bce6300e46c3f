import type { MismatchRecord, NormalizeSettings } from '../../types.js';

/** One line of the mismatch store: the record plus what a replay needs to judge a new answer. */
export interface StoredMismatch extends MismatchRecord {
  /** The legacy answer (decoded body) and the route's comparison settings at the time. */
  replay: {
    legacy: {
      status: number;
      headers: Record<string, string | string[]>;
      body?: string;
      bodyEncoding?: 'utf8' | 'base64';
    };
    settings: {
      compareHeaders: string[];
      ignore: string[];
      normalize?: NormalizeSettings;
      /** Fields learned noise explained when the mismatch was recorded; ignored by replay. */
      noise: string[];
    };
  };
}

/** Where mismatches go: a JSON lines file here; anything with `append` can stand in. */
export interface MismatchStore {
  readonly description: string;
  append(record: StoredMismatch): Promise<void>;
  close(): Promise<void>;
}
