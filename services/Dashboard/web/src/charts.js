// uPlot wrapper: dark axes, a unit-carrying label on every axis, UTC time axes, bands between two
// series, point-only series, live appends that keep a time window, and resizing with the panel.
import uPlot from 'uplot';

const FONT = '11px "DejaVu Sans", system-ui, sans-serif';

function axis(extra) {
  return {
    stroke: '#8b95a5',
    font: FONT,
    labelFont: FONT,
    labelSize: 16,
    labelGap: 2,
    size: 54,
    gap: 4,
    grid: { stroke: '#212833', width: 1 },
    ticks: { stroke: '#2a323e', width: 1, size: 4 },
    ...extra,
  };
}

/**
 * Creates a chart in `container`.
 * spec: { x: { label, time, integer }, axes: [{ scale, label, side, range, digits }], series: [{ label, scale, color, width,
 *         dash, points, digits, show }], bands: [[upper, lower, fill]], height }
 * Series indices in bands count from 1 (0 is x). Returns { plot, setData }.
 */
export function chart(container, spec) {
  const time = spec.x.time !== false;
  const scales = { x: { time } };
  for (const a of spec.axes) scales[a.scale] = { auto: a.range === undefined || typeof a.range === 'function', range: a.range };
  const series = [
    time ? { label: 'Time (UTC)', value: (u, v) => (v == null ? '–' : new Date(v * 1000).toISOString().slice(11, 19)) }
      : { label: spec.x.label, value: (u, v) => (v == null ? '–' : Number(v).toFixed(spec.x.digits ?? 0)) },
    ...spec.series.map((s, i) => ({
      label: s.label,
      scale: s.scale,
      stroke: s.color,
      width: s.width ?? 1.5,
      dash: s.dash,
      show: s.show ?? true,
      spanGaps: true,
      points: s.points ? { show: true, size: s.size ?? 4, width: 1, fill: s.color, stroke: s.color } : { show: false },
      paths: s.points && !s.line ? () => null : undefined,
      fill: s.fill,
      // Without a cursor the legend shows each series' latest value, like a Grafana "last" legend.
      value: (u, v, sidx, idx) => {
        const shown = v ?? (idx == null ? lastValue(u.data[i + 1]) : null);
        return shown == null || !Number.isFinite(Number(shown)) ? '–' : Number(shown).toFixed(s.digits ?? 2);
      },
    })),
  ];
  const axes = [
    axis({
      label: time ? 'Time (UTC)' : spec.x.label,
      size: 40,
      // Counted axes (cycles) tick on whole numbers only.
      incrs: spec.x.integer ? [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000] : undefined,
      values: time ? timeTicks : (u, splits, ai, space, incr) => splits.map((v) => (v == null ? '' : formatTick(v, incr))),
    }),
    ...spec.axes.map((a) => axis({
      scale: a.scale,
      label: a.label,
      side: a.side ?? 3,
      grid: { show: (a.side ?? 3) === 3, stroke: '#212833', width: 1 },
      values: (u, splits, ai, space, incr) => splits.map((v) => (v == null ? '' : formatTick(v, incr))),
    })),
  ];
  const bands = (spec.bands ?? []).map(([upper, lower, fill]) => ({ series: [upper, lower], fill }));
  const height = spec.height ?? 220;
  const opts = {
    width: Math.max(320, container.clientWidth - 4),
    height,
    scales,
    series,
    axes,
    bands,
    legend: { live: true },
    cursor: { drag: { x: true, y: false }, points: { size: 5 } },
    tzDate: (ts) => uPlot.tzDate(new Date(ts * 1000), 'Etc/UTC'),
  };
  const empty = [[], ...spec.series.map(() => [])];
  const plot = new uPlot(opts, empty, container);
  const observer = new ResizeObserver(() => {
    const width = Math.max(320, container.clientWidth - 4);
    if (Math.abs(width - plot.width) > 2) plot.setSize({ width, height });
  });
  observer.observe(container);
  return {
    plot,
    setData(data) { plot.setData(data); },
  };
}

/** Tick text with as many decimals as the tick increment needs (25 → "25", 0.5 → "0.5"). */
function formatTick(v, incr) {
  const decimals = incr > 0 ? Math.min(6, Math.max(0, -Math.floor(Math.log10(incr) + 1e-9))) : 2;
  return v.toFixed(decimals);
}

const pad = (n) => String(n).padStart(2, '0');

/** 24-hour UTC ticks: seconds when the step is under a minute, the date where a new day starts on multi-day ranges. */
function timeTicks(u, splits, ai, space, incr) {
  const day = 86400;
  const span = (u.scales.x.max ?? 0) - (u.scales.x.min ?? 0);
  return splits.map((v, i) => {
    if (v == null) return '';
    const d = new Date(v * 1000);
    const date = `${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    if (incr >= day) return date;
    const clock = incr < 60 ? `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}` : `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
    const newDay = i === 0 || new Date(splits[i - 1] * 1000).getUTCDate() !== d.getUTCDate();
    return span > day / 2 && newDay ? `${date} ${clock}` : clock;
  });
}

function lastValue(values) {
  for (let k = (values?.length ?? 0) - 1; k >= 0; k -= 1) if (values[k] != null && Number.isFinite(values[k])) return values[k];
  return null;
}

/** Aligns several [x[], y1[], y2[]...] tables on a common x (nulls where a table has no point). */
export function join(tables) {
  const nonEmpty = tables.filter((t) => t[0].length > 0);
  if (nonEmpty.length === 0) return [[], ...tables.flatMap((t) => t.slice(1).map(() => []))];
  return uPlot.join(tables);
}

/**
 * A growing time table: columns of values keyed by x, trimmed to a window; appends stay sorted.
 * Used by live charts: initial query result, then points from the stream.
 */
export class Window {
  constructor(columns, seconds) {
    this.columns = columns;
    this.seconds = seconds;
    this.x = [];
    this.y = columns.map(() => []);
  }

  load(x, ys) {
    this.x = [...x];
    this.y = ys.map((c) => [...c]);
  }

  append(t, values) {
    const n = this.x.length;
    if (n > 0 && t <= this.x[n - 1]) {
      if (t === this.x[n - 1]) values.forEach((v, i) => { if (v !== undefined) this.y[i][n - 1] = v; });
      return;
    }
    this.x.push(t);
    values.forEach((v, i) => this.y[i].push(v === undefined ? null : v));
  }

  trim(now) {
    const cutoff = now - this.seconds;
    let k = 0;
    while (k < this.x.length && this.x[k] < cutoff) k += 1;
    if (k > 0) {
      this.x.splice(0, k);
      this.y.forEach((c) => c.splice(0, k));
    }
  }

  table() { return [this.x, ...this.y]; }
}
