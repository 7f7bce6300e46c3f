import { ProxyError } from '../errors.js';

/** The URLs that tell when the side taking over a group's writes has caught up. */
export interface CatchUpSpec {
  barrier: string;
  applied: string;
}

/** Where the side that wrote had its writes published, and when the other side had them. */
export interface CatchUpResult {
  topic: string;
  offsets: Record<string, string>;
  /** Polls of `applied` until it answered 2xx. */
  polls: number;
}

const POLL_MS = 25;

/**
 * Asks the capture of the side that wrote where everything it committed so far is in Kafka
 * (`POST barrier` -> `{ topic, offsets: { partition: nextOffset } }`), then asks the side taking
 * over until it has applied those offsets (`GET applied?topic=&offsets=p:o,...` -> 2xx). Called
 * with the group's writes held and drained, so nothing written before the move is left behind.
 */
export async function catchUp(spec: CatchUpSpec, deadline: number): Promise<CatchUpResult> {
  const left = () => Math.max(1, Math.round(deadline - performance.now()));
  const answer = await fetch(spec.barrier, {
    method: 'POST',
    signal: AbortSignal.timeout(left()),
  }).catch((err: Error) => {
    throw refused(`${spec.barrier} did not answer: ${err.message}`);
  });
  const text = await answer.text();
  if (!answer.ok) throw refused(`${spec.barrier} answered ${answer.status}: ${text.slice(0, 200)}`);
  const position = parsePosition(text);
  if (!position) {
    throw refused(
      `${spec.barrier} answered ${text.slice(0, 200)}; expected { "topic": "...", "offsets": { "0": "123" } }`,
    );
  }
  const query = `topic=${encodeURIComponent(position.topic)}&offsets=${Object.entries(
    position.offsets,
  )
    .map(([p, o]) => `${p}:${o}`)
    .join(',')}`;
  const url = `${spec.applied}${spec.applied.includes('?') ? '&' : '?'}${query}`;
  let polls = 0;
  let last = '';
  while (performance.now() < deadline) {
    polls++;
    const r = await fetch(url, { signal: AbortSignal.timeout(left()) }).catch(
      (err: Error) => ({ ok: false, status: 0, text: async () => err.message }) as const,
    );
    if (r.ok) return { ...position, polls };
    last = `${r.status} ${(await r.text()).slice(0, 200)}`;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  throw refused(`${spec.applied} had not applied ${query} when the hold ran out (last: ${last})`);
}

function parsePosition(text: string): { topic: string; offsets: Record<string, string> } | null {
  try {
    const body = JSON.parse(text) as { topic?: unknown; offsets?: unknown };
    if (typeof body.topic !== 'string' || typeof body.offsets !== 'object' || !body.offsets)
      return null;
    const offsets: Record<string, string> = {};
    for (const [p, o] of Object.entries(body.offsets)) {
      if (!/^\d+$/.test(p) || !/^\d+$/.test(String(o))) return null;
      offsets[p] = String(o);
    }
    return { topic: body.topic, offsets };
  } catch {
    return null;
  }
}

const refused = (why: string) =>
  new ProxyError('switch_denied', `the other side did not catch up: ${why}`, { retriable: true });
