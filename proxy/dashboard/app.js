/* global document, Node */
// The dashboard: polls the admin API with the token the user pasted (kept in sessionStorage, so
// it is gone when the tab closes) and renders with textContent only: mismatch diffs carry
// upstream data and must never be parsed as HTML.

import { lineChart } from './charts.js';

const KEY = 'strangler-admin-token';
const POLL_MS = 2000;
let selected = null;
let timer = null;

const $ = (id) => document.getElementById(id);

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v);
  }
  for (const c of children) node.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return node;
}

const pct = (v) => (v === null || v === undefined ? '–' : `${(v * 100).toFixed(2)}%`);
const ms = (v) => (v === null || v === undefined ? '–' : `${v.toFixed(1)} ms`);

async function api(method, path, body) {
  const token = sessionStorage.getItem(KEY);
  if (!token) throw new Error('no token');
  const res = await fetch(path, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const data = await res.json().catch(() => ({}));
  if (res.status === 401) throw new Error('the token was refused');
  if (!res.ok) throw new Error(data.message || `${res.status}`);
  return data;
}

function status(text, bad = false, id = 'status') {
  const node = $(id);
  node.textContent = text;
  node.className = bad ? 'bad' : 'good';
}

function modeLabel(r) {
  return r.mode === 'canary' ? `canary ${r.percent}%` : r.mode;
}

const switchPath = (route) =>
  route.group
    ? `/groups/${encodeURIComponent(route.group)}/switch`
    : `/routes/${encodeURIComponent(route.id)}/switch`;

/** This stage's figures of a route, as one line for the confirmation. */
function stageLine(report) {
  const w = report?.window;
  if (!w) return 'This route is not compared in shadow mode: no figures.';
  return `This stage (since ${new Date(w.since).toLocaleTimeString()}): ${w.compared} compared, match rate ${pct(w.matchRate)}; p99 legacy ${ms(w.legacy.p99Ms)}, new ${ms(w.candidate.p99Ms)}; errors legacy ${pct(w.legacy.errorRate)}, new ${pct(w.candidate.errorRate)}.`;
}

/**
 * Asks the proxy what the switch would do and whether its guards (the new upstream's readiness,
 * and any a user added) allow it now, shows that with the route's figures, and switches only on
 * confirmation. A refused switch cannot be confirmed: the answer says why.
 */
async function confirmSwitch(route, report, mode, percent) {
  const dialog = $('confirm');
  let check;
  try {
    check = await api('POST', `${switchPath(route)}/check`, {
      mode,
      ...(percent === undefined ? {} : { percent }),
    });
  } catch (err) {
    status(`cannot check the switch: ${err.message}`, true, 'action');
    return;
  }
  const what = route.group ? `group ${route.group} (${check.routes.join(', ')})` : route.id;
  $('confirm-title').textContent =
    `Switch ${what} from ${modeLabel(check.from)} to ${modeLabel(check.to)}?`;
  const answer = $('confirm-readiness');
  answer.textContent = check.allowed
    ? 'Readiness: allowed now (every switch guard, including the new upstream readiness check, said yes).'
    : `Readiness: refused now: ${check.refusal}`;
  answer.className = check.allowed ? 'good' : 'bad';
  $('confirm-figures').textContent = stageLine(report);
  $('confirm-gates').textContent = report?.gates
    ? `Gates: ${report.gates.lastDecision ?? 'waiting'}${report.gates.lastReason ? `: ${report.gates.lastReason}` : ''}`
    : '';
  $('confirm-reason').textContent =
    `Reason for the audit log: ${$('reason').value || 'switched from the dashboard'}`;
  $('confirm-ok').disabled = !check.allowed;
  dialog.returnValue = '';
  dialog.showModal();
  dialog.addEventListener(
    'close',
    () => {
      if (dialog.returnValue === 'switch') void switchTo(route, mode, percent);
    },
    { once: true },
  );
}

async function switchTo(route, mode, percent) {
  try {
    const result = await api('POST', switchPath(route), {
      mode,
      ...(percent === undefined ? {} : { percent }),
      reason: $('reason').value || 'switched from the dashboard',
      actor: 'dashboard',
      source: 'dashboard',
    });
    status(
      `${result.target}: ${modeLabel(result.from)} -> ${modeLabel(result.to)}`,
      false,
      'action',
    );
  } catch (err) {
    status(`switch refused: ${err.message}`, true, 'action');
  }
  await refresh();
}

function switchCell(route, report) {
  const percent = el('input', {
    class: 'percent',
    type: 'number',
    min: '0',
    max: '100',
    step: '1',
    value: String(route.percent ?? 10),
    'aria-label': 'canary percent',
  });
  // The route's current mode is marked, and a click on it would change nothing: disabled.
  const current = (mode) => mode === route.mode;
  const button = (mode, label) =>
    el(
      'button',
      {
        type: 'button',
        dataset: { mode },
        ...(current(mode) ? { 'aria-current': 'true', class: 'current', disabled: '' } : {}),
        onclick: (e) => {
          e.stopPropagation();
          void confirmSwitch(
            route,
            report,
            mode,
            mode === 'canary' ? Number(percent.value) : undefined,
          );
        },
      },
      label,
    );
  percent.addEventListener('click', (e) => e.stopPropagation());
  return el(
    'td',
    {},
    button('legacy', 'legacy'),
    button('shadow', 'shadow'),
    button('canary', 'canary'),
    percent,
    button('new', 'new'),
  );
}

// What each skip reason means, as the admin API explains it (the same text as the CLI report
// and the metric help): shown on hover and in the legend under the table.
let skipReasons = {};

function skipped(totals) {
  const entries = Object.entries(totals.skipped || {});
  if (entries.length === 0) return '–';
  const span = el('span');
  entries.forEach(([k, v], i) => {
    if (i > 0) span.append(', ');
    span.append(el('abbr', { title: skipReasons[k] ?? k }, `${k} ${v}`));
  });
  return span;
}

function skipLegend(reports) {
  const present = new Set(reports.flatMap((r) => Object.keys(r.totals.skipped || {})));
  const items = Object.keys(skipReasons).filter((k) => present.has(k));
  $('skip-legend').replaceChildren(
    ...items.flatMap((k) => [el('dt', {}, k), el('dd', {}, skipReasons[k])]),
  );
  $('skip-legend').hidden = items.length === 0;
}

function row(route, report) {
  const w = report?.window;
  // The stage's own rate only: a lifetime rate right after a switch mixes two stages.
  const rate = w && w.compared > 0 ? w.matchRate : null;
  const tr = el(
    'tr',
    { dataset: { route: route.id }, onclick: () => select(route.id) },
    el('td', {}, route.id, route.group ? el('div', { class: 'hint' }, `group ${route.group}`) : ''),
    el('td', { class: 'mode' }, modeLabel(route)),
    el(
      'td',
      { class: `num match-rate ${rate === null ? '' : rate >= 0.99 ? 'good' : 'bad'}` },
      pct(rate),
    ),
    el('td', { class: 'num compared' }, report ? String(w.compared) : '–'),
    el('td', { class: 'num' }, w ? `${ms(w.legacy.p50Ms)} / ${ms(w.legacy.p99Ms)}` : '–'),
    el('td', { class: 'num' }, w ? `${ms(w.candidate.p50Ms)} / ${ms(w.candidate.p99Ms)}` : '–'),
    el(
      'td',
      { class: 'num' },
      w ? `${pct(w.legacy.errorRate)} / ${pct(w.candidate.errorRate)}` : '–',
    ),
    el(
      'td',
      { class: 'num lifetime' },
      report ? `${report.totals.compared} / ${report.totals.mismatched}` : '–',
    ),
    el('td', { class: 'skipped lifetime' }, report ? skipped(report.totals) : '–'),
    el(
      'td',
      { class: 'gates' },
      report?.gates
        ? `${report.gates.lastDecision ?? 'waiting'}: ${report.gates.lastReason ?? ''}`
        : '–',
    ),
    switchCell(route, report),
  );
  if (route.id === selected) tr.classList.add('selected');
  return tr;
}

const shown = (v) => (v === undefined ? '(absent)' : JSON.stringify(v));

/** A diff as a table naming both sides: field, what legacy answered, what new answered. */
function diffTable(diff, more) {
  return el(
    'table',
    { class: 'diff' },
    el(
      'thead',
      {},
      el('tr', {}, el('th', {}, 'field'), el('th', {}, 'legacy'), el('th', {}, 'new')),
    ),
    el(
      'tbody',
      {},
      ...diff.map((d) =>
        el(
          'tr',
          {},
          el('td', {}, el('code', {}, d.pointer)),
          el('td', { class: 'legacy' }, shown(d.legacy)),
          el('td', { class: 'new' }, shown(d.candidate)),
        ),
      ),
      ...(more > 0
        ? [el('tr', {}, el('td', { colspan: '3', class: 'hint' }, `${more} more`))]
        : []),
    ),
  );
}

// The page is redrawn every 2 s: which collapsible parts a person opened is remembered by key, so
// a group or a body view stays open while they read it.
const opened = new Set();

function remembered(key, props, ...children) {
  const node = el('details', props, ...children);
  if (opened.has(key)) node.open = true;
  node.addEventListener('toggle', () => {
    if (node.open) opened.add(key);
    else opened.delete(key);
  });
  return node;
}

/** A body as people read it: JSON indented, anything else as it came. */
function readable(view) {
  if (view.text === undefined)
    return `(${view.bytes} bytes of ${view.contentType ?? 'binary data'}, not shown)`;
  let text = view.text;
  try {
    text = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    // Not JSON (or cut short): shown as it came.
  }
  return view.truncated ? `${text}\n… (first 8 KB of ${view.bytes} bytes)` : text;
}

/** Both bodies of a mismatch side by side, legacy on the left. */
function bodies(x, key) {
  if (!x.bodies) return '';
  const side = (name, status, view) =>
    el(
      'div',
      { class: `side ${name}` },
      el('h4', {}, `${name} (${status})`),
      el('pre', {}, readable(view)),
    );
  return remembered(
    key,
    { class: 'bodies' },
    el('summary', {}, 'bodies side by side'),
    el(
      'div',
      { class: 'side-by-side' },
      side('legacy', x.legacy.status, x.bodies.legacy),
      side('new', x.candidate.status, x.bodies.candidate),
    ),
  );
}

function renderGroups(data) {
  const g = $('groups');
  g.replaceChildren();
  if (!data.groups.length) {
    g.append(el('p', { class: 'hint' }, 'No mismatches since the proxy started.'));
    return;
  }
  for (const x of data.groups) {
    const key = `group:${selected}:${x.fields.join(',')}`;
    g.append(
      remembered(
        key,
        { class: 'group' },
        el(
          'summary',
          {},
          el('span', { class: 'count' }, `${x.count}×`),
          ' ',
          el('code', { class: 'fields' }, x.fields.join(', ')),
          el('span', { class: 'hint' }, `  first ${x.firstSeen}, last ${x.lastSeen}`),
        ),
        el(
          'div',
          { class: 'hint' },
          `latest: ${x.example.request.method} ${x.example.request.url}; legacy ${x.example.legacy.status}, new ${x.example.candidate.status}`,
        ),
        diffTable(x.example.diff, x.example.more),
        bodies(x.example, `${key}:bodies`),
      ),
    );
  }
  if (data.ungrouped > 0)
    g.append(
      el('p', { class: 'hint' }, `${data.ungrouped} more mismatches with other signatures.`),
    );
}

/** Accepts a suggested rule with the owner, reason and expiry typed above the list. */
async function acceptRule(rule) {
  const expires = $('rule-expires').value;
  try {
    const result = await api('POST', `/shadow/${encodeURIComponent(selected)}/ignore-rules`, {
      rule,
      owner: $('rule-owner').value,
      reason: $('rule-reason').value,
      ...(expires ? { expires } : {}),
      actor: 'dashboard',
      source: 'dashboard',
    });
    status(
      result.changed
        ? `${result.route}: ignore rule ${rule} accepted (owner ${result.rule.owner})`
        : `${result.route}: ${rule} was already in force`,
      false,
      'action',
    );
  } catch (err) {
    status(`rule not accepted: ${err.message}`, true, 'action');
  }
  await refresh();
}

function renderCharts(timeline) {
  const points = timeline.points;
  const box = $('charts');
  if (!points.some((p) => p.compared + p.failed > 0)) {
    box.replaceChildren(el('p', { class: 'hint' }, 'Nothing compared in the last hour.'));
    return;
  }
  const pick = (f) => points.map(f);
  box.replaceChildren(
    lineChart({
      title: 'Match rate per 10 s',
      points,
      max: 100,
      unit: '%',
      series: [
        {
          name: 'match rate',
          cls: 'rate',
          values: pick((p) => (p.matchRate === null ? null : p.matchRate * 100)),
        },
      ],
    }),
    lineChart({
      title: 'Latency per 10 s: legacy and new, p50 and p99',
      points,
      unit: ' ms',
      series: [
        { name: 'legacy p50', cls: 'legacy p50', values: pick((p) => p.legacy.p50Ms) },
        { name: 'legacy p99', cls: 'legacy p99', values: pick((p) => p.legacy.p99Ms) },
        { name: 'new p50', cls: 'new p50', values: pick((p) => p.candidate.p50Ms) },
        { name: 'new p99', cls: 'new p99', values: pick((p) => p.candidate.p99Ms) },
      ],
    }),
  );
}

async function renderDetails() {
  if (!selected) return;
  $('details').hidden = false;
  $('details-route').textContent = selected;
  const [noise, mism, groups, timeline] = await Promise.all([
    api('GET', `/shadow/${encodeURIComponent(selected)}/noise`),
    api('GET', `/shadow/${encodeURIComponent(selected)}/mismatches?limit=10`),
    api('GET', `/shadow/${encodeURIComponent(selected)}/mismatch-groups`),
    api('GET', `/shadow/${encodeURIComponent(selected)}/timeline`),
  ]);
  renderCharts(timeline);
  renderGroups(groups);
  const n = $('noise');
  n.replaceChildren();
  // The owner, reason and expiry fields are only needed while there is something to accept.
  $('accept-form').hidden = $('accept-hint').hidden = !noise.suggestions?.length;
  if (!noise.enabled)
    n.append(
      el('p', { class: 'hint' }, 'Noise learning is off for this route (shadow.learnNoise).'),
    );
  if (noise.suggestions?.length) {
    n.append(
      el(
        'p',
        {},
        `${noise.pairs} legacy pairs compared; together these rules would hide ${noise.hidesTogether} of ${noise.mismatches} mismatches before noise filtering.`,
      ),
      el(
        'ul',
        { class: 'suggestions' },
        ...noise.suggestions.map((s) =>
          el(
            'li',
            { dataset: { rule: s.rule } },
            el('code', {}, s.rule),
            ` varies by itself in ${pct(s.noiseRate)} of legacy pairs; differs in ${s.inMismatches} of ${noise.mismatches} mismatches, hides ${s.hidesAlone} alone `,
            el(
              'button',
              { type: 'button', class: 'accept', onclick: () => void acceptRule(s.rule) },
              'accept',
            ),
          ),
        ),
      ),
    );
  } else if (noise.enabled)
    n.append(
      el(
        'p',
        { class: 'hint' },
        noise.pairs === 0
          ? 'No legacy pairs compared yet: nothing learned.'
          : `No suggestions: ${noise.pairs} legacy pairs compared, and every field seen varying by itself is already ignored.`,
      ),
    );
  // The rules in force, with who answers for them: what the comparison ignores on this route.
  const rules = noise.ignoreRules ?? [];
  n.append(
    el('h4', {}, 'Ignore rules of this route (shadow.ignore)'),
    rules.length === 0
      ? el('p', { class: 'hint' }, 'None.')
      : el(
          'ul',
          { class: 'rules' },
          ...rules.map((r) =>
            el(
              'li',
              { dataset: { rule: r.rule }, ...(r.expired ? { class: 'expired' } : {}) },
              el('code', {}, r.rule),
              r.owner ? ` owner ${r.owner}: ${r.reason}` : '',
              r.expires ? ` (${r.expired ? 'expired' : 'until'} ${r.expires})` : '',
            ),
          ),
        ),
  );
  const m = $('mismatches');
  m.replaceChildren();
  if (!mism.mismatches.length) m.append(el('p', { class: 'hint' }, 'No mismatches recorded.'));
  for (const x of mism.mismatches) {
    m.append(
      el(
        'div',
        { class: 'mismatch' },
        el(
          'div',
          {},
          `${x.at}  ${x.request.method} ${x.request.url}  legacy ${x.legacy.status} in ${ms(x.legacy.ms)}, new ${x.candidate.status} in ${ms(x.candidate.ms)}  (served by ${x.servedBy}, request ${x.request.requestId})`,
        ),
        diffTable(x.diff, x.more),
        bodies(x, `mismatch:${x.request.requestId}:bodies`),
      ),
    );
  }
}

function select(id) {
  selected = id;
  void refresh();
}

// With a control plane: every replica sharing the table, and the version each serves.
function renderFleet(fleet) {
  const c = fleet.controlPlane;
  if (!c) {
    $('fleet').textContent = 'One proxy with its own route file (no control plane).';
    return;
  }
  const replicas = fleet.replicas
    .map(
      (r) =>
        `${r.info?.url ?? r.id} v${r.version ?? '?'}${r.behind ? ` (${r.behind} behind)` : ''}`,
    )
    .join(', ');
  $('fleet').textContent = c.ok
    ? `Control plane: version ${c.latest}, ${fleet.replicas.length} replicas: ${replicas}.${c.leader ? ' This replica runs the gates.' : ''}`
    : `Control plane UNREACHABLE (${c.error ?? 'no answer'}): this replica serves version ${c.version}; switches are refused until it is back.`;
}

async function refresh() {
  clearTimeout(timer);
  if (!sessionStorage.getItem(KEY)) return;
  try {
    const [routes, shadow, fleet] = await Promise.all([
      api('GET', '/routes'),
      api('GET', '/shadow'),
      api('GET', '/fleet'),
    ]);
    renderFleet(fleet);
    skipReasons = shadow.skipReasons ?? {};
    const reports = new Map(shadow.routes.map((r) => [r.route, r]));
    skipLegend(shadow.routes);
    const tbody = $('routes').querySelector('tbody');
    tbody.replaceChildren(...routes.routes.map((r) => row(r, reports.get(r.id))));
    const q = shadow.queue;
    $('queue').textContent =
      `Shadow queue: ${q.depth} waiting, ${q.active} running (capacity ${q.capacity}, concurrency ${q.concurrency}); copies admitted ${pct(q.admitted)} (shadow thread ${pct(q.loopUtilization)} busy); store ${shadow.store ?? 'none'}. Table ${routes.version}.`;
    status(`Connected; updated ${new Date().toLocaleTimeString()}`);
    await renderDetails();
  } catch (err) {
    status(`Cannot read the admin API: ${err.message}`, true);
  }
  timer = setTimeout(refresh, POLL_MS);
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = $('token').value.trim();
  if (token) sessionStorage.setItem(KEY, token);
  $('token').value = '';
  status('Connecting...');
  void refresh();
});
$('logout').addEventListener('click', () => {
  sessionStorage.removeItem(KEY);
  clearTimeout(timer);
  status('Not connected: paste the admin token.');
});

void refresh();
