/* global document */
// Line charts as plain SVG built with DOM calls (no library, nothing from a CDN, and no inline
// style, which the dashboard's content security policy forbids): colours come from style.css.

const SVG = 'http://www.w3.org/2000/svg';
const W = 640;
const H = 180;
const PAD = { left: 48, right: 8, top: 8, bottom: 22 };

function svg(tag, attrs = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text !== undefined) node.textContent = text;
  return node;
}

const clock = (t) => new Date(t).toLocaleTimeString();

/** A round upper bound for the y axis: 1, 2 or 5 times a power of ten. */
function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(v));
  return [1, 2, 5, 10].map((m) => m * p).find((m) => m >= v);
}

/**
 * One chart: `series` are `{ name, cls, values }` with one value (or null, drawn as a gap) per
 * point; `points` carry `from`, `to` and `stage`, and a stage change is marked with a labelled
 * vertical line, so a switch is visible where the figures change.
 */
export function lineChart({ title, points, series, max, unit }) {
  const t0 = Date.parse(points[0].from);
  const t1 = Math.max(Date.parse(points[points.length - 1].to), t0 + 1);
  const top =
    max ?? niceMax(Math.max(0, ...series.flatMap((s) => s.values.filter((v) => v !== null))));
  const x = (t) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v) => PAD.top + (1 - Math.min(v, top) / top) * (H - PAD.top - PAD.bottom);
  const root = svg('svg', {
    viewBox: `0 0 ${W} ${H}`,
    class: 'chart',
    role: 'img',
    'aria-label': title,
  });
  root.append(svg('title', {}, title));
  for (const f of [0, 0.5, 1]) {
    root.append(
      svg('line', {
        class: 'grid',
        x1: PAD.left,
        x2: W - PAD.right,
        y1: y(top * f),
        y2: y(top * f),
      }),
      svg(
        'text',
        { class: 'axis', x: PAD.left - 4, y: y(top * f) + 4, 'text-anchor': 'end' },
        `${+(top * f).toFixed(2)}${unit}`,
      ),
    );
  }
  root.append(
    svg('text', { class: 'axis', x: PAD.left, y: H - 6 }, clock(t0)),
    svg('text', { class: 'axis', x: W - PAD.right, y: H - 6, 'text-anchor': 'end' }, clock(t1)),
  );
  points.forEach((p, i) => {
    if (i === 0 || p.stage === points[i - 1].stage) return;
    const at = x(Date.parse(p.from));
    root.append(
      svg('line', { class: 'switch', x1: at, x2: at, y1: PAD.top, y2: H - PAD.bottom }),
      svg('text', { class: 'axis switch-label', x: at + 3, y: PAD.top + 10 }, `→ ${p.stage}`),
    );
  });
  for (const s of series) {
    // Consecutive points with a value form one line; a null breaks it.
    let run = [];
    const flush = () => {
      if (run.length === 1) {
        const [cx, cy] = run[0];
        root.append(svg('circle', { class: `line ${s.cls}`, cx, cy, r: 3 }));
      } else if (run.length > 1) {
        root.append(
          svg('polyline', {
            class: `line ${s.cls}`,
            points: run.map((q) => q.join(',')).join(' '),
          }),
        );
      }
      run = [];
    };
    points.forEach((p, i) => {
      const v = s.values[i];
      if (v === null || v === undefined) return flush();
      run.push([x((Date.parse(p.from) + Date.parse(p.to)) / 2).toFixed(1), y(v).toFixed(1)]);
    });
    flush();
  }
  const legend = document.createElement('div');
  legend.className = 'legend';
  for (const s of series) {
    const item = document.createElement('span');
    item.className = `key ${s.cls}`;
    item.textContent = s.name;
    legend.append(item);
  }
  const figure = document.createElement('figure');
  const caption = document.createElement('figcaption');
  caption.textContent = title;
  figure.append(caption, root, legend);
  return figure;
}
