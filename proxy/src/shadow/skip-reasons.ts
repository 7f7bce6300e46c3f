import type { SkipReason } from '../types.js';

/**
 * What each skip reason means and what to change, in one place: the CLI report, the dashboard and
 * the metric help all say the same. A count nobody can interpret gets ignored; these say which
 * setting or which side of the exchange made the comparison impossible.
 */
export const SKIP_REASONS: Readonly<Record<SkipReason, string>> = Object.freeze({
  method:
    'an unsafe method (anything but GET, HEAD, OPTIONS) on a route without routes[].shadow.dryRun, or in canary (legacy cannot dry-run): a copy would write twice.',
  sampled_out: 'not picked by routes[].shadow.sample (below 1, only that share is compared).',
  busy: 'shed by the load governor: the shadow thread was busier than shadow.maxLoopUtilization (its own work, or a machine too busy to give it CPU); lower routes[].shadow.sample, raise the limit, or give the proxy more CPU.',
  size: "the request body, legacy's or the candidate's answer (after decoding) is larger than shadow.maxBodyBytes (or routes[].shadow.maxBodyBytes).",
  queue_full:
    'shadow.queue comparisons (or shadow.queueBytes of bodies) already waiting: the candidate is slower than the traffic.',
  timeout:
    "the copy was not answered within shadow.timeout of the client's answer, or already waited that long in the queue (dropped unsent: it would compare against data that has moved on).",
  candidate_error:
    'the copy failed: connection refused or reset, invalid response (in canary: the legacy copy); a 5xx answer is compared, not skipped. An upstream that cannot be reached is left alone for 250 ms to 5 s, and copies in that pause are counted here unsent.',
  streaming:
    'a stream, passed through and never compared: text/event-stream, NDJSON, multipart/*, application/octet-stream, audio/video, Content-Disposition: attachment, or a request accepting text/event-stream.',
  primary_error:
    "the client's own request failed (502/504 from the proxy, client gone): nothing to compare against.",
  incomplete: 'the request body had not been read to its end.',
  encoding: "an answer's Content-Encoding is unknown or corrupt.",
  no_upstream:
    "the copy would go to legacy, and in the express middleware legacy is your app with no URL: set upstreams.legacy to the app's own address to compare in canary.",
  shadow_error:
    "the shadow thread failed on this comparison or stopped (a bug: the proxy's error log has the stack); it is restarted and the proxy goes on.",
});

/** `reason: explanation` lines for the reasons given, in a fixed order. */
export function explainSkips(reasons: Iterable<string>): string[] {
  const seen = new Set(reasons);
  return (Object.keys(SKIP_REASONS) as SkipReason[])
    .filter((reason) => seen.has(reason))
    .map((reason) => `${reason}: ${SKIP_REASONS[reason]}`);
}
