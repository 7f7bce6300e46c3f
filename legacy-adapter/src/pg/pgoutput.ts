import type { Lsn } from './lsn.js';

// pgoutput logical replication messages (protocol version 1, without streaming):
// https://www.postgresql.org/docs/current/protocol-logicalrep-message-formats.html
// Column values are kept as Postgres's text output: the mapping decides what a value means, and
// no global type parser (pg.types) can turn a `date` into a local-time JS Date behind its back.

/** A column whose TOASTed value did not change and was not sent: its value is unknown, not null. */
export const UNCHANGED_TOAST: unique symbol = Symbol('unchanged TOAST value');
export type ColumnValue = string | null | typeof UNCHANGED_TOAST;
export type Row = Record<string, ColumnValue>;

export interface RelationColumn {
  name: string;
  typeOid: number;
  isKey: boolean;
}
export interface Relation {
  oid: number;
  schema: string;
  name: string;
  replicaIdentity: 'default' | 'nothing' | 'full' | 'index';
  columns: RelationColumn[];
}

export type PgoutputMessage =
  | { tag: 'begin'; commitLsn: Lsn; commitTime: Date; xid: number }
  | { tag: 'commit'; commitLsn: Lsn; endLsn: Lsn; commitTime: Date }
  | { tag: 'origin'; originLsn: Lsn; name: string }
  | { tag: 'relation'; relation: Relation }
  | { tag: 'type'; oid: number; schema: string; name: string }
  | { tag: 'insert'; relation: Relation; row: Row }
  | { tag: 'update'; relation: Relation; old: Row | null; oldIsKeyOnly: boolean; row: Row }
  | { tag: 'delete'; relation: Relation; old: Row; oldIsKeyOnly: boolean }
  | { tag: 'truncate'; relations: Relation[]; cascade: boolean; restartIdentity: boolean }
  | { tag: 'message'; transactional: boolean; lsn: Lsn; prefix: string; content: Buffer };

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const IDENTITY = { d: 'default', n: 'nothing', f: 'full', i: 'index' } as const;

/** Decodes pgoutput messages; remembers relations, which later row messages refer to by OID. */
export class PgoutputDecoder {
  private readonly relations = new Map<number, Relation>();

  decode(buf: Buffer): PgoutputMessage {
    const r = new Cursor(buf);
    const tag = String.fromCharCode(r.u8());
    switch (tag) {
      case 'B':
        return { tag: 'begin', commitLsn: r.lsn(), commitTime: r.time(), xid: r.u32() };
      case 'C': {
        r.u8(); // flags, unused
        return { tag: 'commit', commitLsn: r.lsn(), endLsn: r.lsn(), commitTime: r.time() };
      }
      case 'O':
        return { tag: 'origin', originLsn: r.lsn(), name: r.cstring() };
      case 'R': {
        const oid = r.u32();
        const schema = r.cstring() || 'pg_catalog';
        const name = r.cstring();
        const identity = String.fromCharCode(r.u8()) as keyof typeof IDENTITY;
        const count = r.i16();
        const columns: RelationColumn[] = [];
        for (let i = 0; i < count; i++) {
          const flags = r.u8();
          columns.push({ name: r.cstring(), typeOid: r.u32(), isKey: (flags & 1) === 1 });
          r.u32(); // type modifier
        }
        const relation: Relation = {
          oid,
          schema,
          name,
          replicaIdentity: IDENTITY[identity] ?? 'default',
          columns,
        };
        this.relations.set(oid, relation);
        return { tag: 'relation', relation };
      }
      case 'Y':
        return { tag: 'type', oid: r.u32(), schema: r.cstring(), name: r.cstring() };
      case 'I': {
        const relation = this.relation(r.u32());
        r.expect('N');
        return { tag: 'insert', relation, row: this.tuple(r, relation) };
      }
      case 'U': {
        const relation = this.relation(r.u32());
        let old: Row | null = null;
        let oldIsKeyOnly = false;
        let kind = String.fromCharCode(r.u8());
        if (kind === 'K' || kind === 'O') {
          oldIsKeyOnly = kind === 'K';
          old = this.tuple(r, relation);
          if (oldIsKeyOnly) keepKeyColumns(old, relation);
          kind = String.fromCharCode(r.u8());
        }
        if (kind !== 'N') throw new Error(`pgoutput update: expected 'N', got '${kind}'`);
        const row = this.tuple(r, relation, old);
        return { tag: 'update', relation, old, oldIsKeyOnly, row };
      }
      case 'D': {
        const relation = this.relation(r.u32());
        const kind = String.fromCharCode(r.u8());
        if (kind !== 'K' && kind !== 'O')
          throw new Error(`pgoutput delete: expected 'K' or 'O', got '${kind}'`);
        const old = this.tuple(r, relation);
        if (kind === 'K') keepKeyColumns(old, relation);
        return { tag: 'delete', relation, old, oldIsKeyOnly: kind === 'K' };
      }
      case 'T': {
        const count = r.u32();
        const options = r.u8();
        const relations: Relation[] = [];
        for (let i = 0; i < count; i++) relations.push(this.relation(r.u32()));
        return {
          tag: 'truncate',
          relations,
          cascade: (options & 1) === 1,
          restartIdentity: (options & 2) === 2,
        };
      }
      case 'M': {
        const flags = r.u8();
        const lsn = r.lsn();
        const prefix = r.cstring();
        const content = r.bytes(r.u32());
        return { tag: 'message', transactional: (flags & 1) === 1, lsn, prefix, content };
      }
      default:
        throw new Error(`unknown pgoutput message '${tag}' (0x${buf[0]?.toString(16)})`);
    }
  }

  private relation(oid: number): Relation {
    const relation = this.relations.get(oid);
    if (!relation)
      throw new Error(`pgoutput: change for relation ${oid} before its Relation message`);
    return relation;
  }

  /** A tuple; with DEFAULT identity an old key tuple holds nulls for non-key columns. */
  private tuple(r: Cursor, relation: Relation, previous?: Row | null): Row {
    const count = r.i16();
    const row: Row = Object.create(null) as Row;
    for (let i = 0; i < count; i++) {
      const column = relation.columns[i];
      if (!column)
        throw new Error(`pgoutput: tuple of ${relation.name} has more columns than its relation`);
      const kind = String.fromCharCode(r.u8());
      if (kind === 'n') row[column.name] = null;
      else if (kind === 'u') row[column.name] = previous?.[column.name] ?? UNCHANGED_TOAST;
      else if (kind === 't' || kind === 'b') row[column.name] = r.bytes(r.u32()).toString('utf8');
      else throw new Error(`pgoutput: unknown column kind '${kind}'`);
    }
    return row;
  }
}

/** A key-only old tuple sends nulls for the other columns; they are unknown, not null. */
function keepKeyColumns(row: Row, relation: Relation): void {
  for (const c of relation.columns) if (!c.isKey) delete row[c.name];
}

class Cursor {
  private at = 0;
  constructor(private readonly buf: Buffer) {}
  private need(n: number): number {
    if (this.at + n > this.buf.length)
      throw new Error(`pgoutput message truncated at byte ${this.at}`);
    const at = this.at;
    this.at += n;
    return at;
  }
  u8(): number {
    return this.buf.readUInt8(this.need(1));
  }
  i16(): number {
    return this.buf.readInt16BE(this.need(2));
  }
  u32(): number {
    return this.buf.readUInt32BE(this.need(4));
  }
  lsn(): Lsn {
    return this.buf.readBigUInt64BE(this.need(8));
  }
  time(): Date {
    const micros = this.buf.readBigInt64BE(this.need(8));
    return new Date(PG_EPOCH_MS + Number(micros / 1000n));
  }
  cstring(): string {
    const end = this.buf.indexOf(0, this.at);
    if (end < 0) throw new Error(`pgoutput: unterminated string at byte ${this.at}`);
    const s = this.buf.toString('utf8', this.at, end);
    this.at = end + 1;
    return s;
  }
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }
  expect(char: string): void {
    const got = String.fromCharCode(this.u8());
    if (got !== char) throw new Error(`pgoutput: expected '${char}', got '${got}'`);
  }
}
