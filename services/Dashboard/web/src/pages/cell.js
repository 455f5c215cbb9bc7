// Cell detail: live voltage (measured vs model) and current, residual, SOC/SOH, temperature,
// the capacity forecast with its 90 % band, the cycle table and the cell's alerts.
import { alerts, fleet, latest, schema, series } from '../api.js';
import { Window, chart, join } from '../charts.js';
import { connect } from '../live.js';
import { age, el, num, panel, percent, tile, utc } from '../format.js';

const ranges = [['15 min', 900], ['1 h', 3600], ['6 h', 21600], ['24 h', 86400], ['7 d', 604800]];

export async function cellPage(main, query) {
  const cell = query.get('cell');
  if (!cell) throw new Error('no cell given (cell.html?cell=ID)');
  const catalog = await schema();
  const f = (m, name) => catalog[m].fields[name];
  let range = Number(query.get('range') ?? 900);

  const [fleetData, info] = await Promise.all([fleet(), latest('cell_info', { cell })]);
  const row = fleetData.cells.find((c) => c.cell === cell);
  if (!row) throw new Error(`cell ${cell} is not in the store`);
  const design = info[0]?.fields ?? {};
  const nominal = design.nominal_capacity ?? null;

  const buttons = el('div', { class: 'buttons' }, ranges.map(([label, seconds]) => el('button', {
    class: seconds === range ? 'on' : '', text: label, 'data-range': seconds,
    onclick: async (event) => {
      range = seconds;
      buttons.querySelectorAll('button').forEach((b) => b.classList.toggle('on', b === event.target));
      await loadTimeCharts();
    },
  })));
  main.append(el('div', { class: 'titlebar' },
    el('div', {},
      el('h1', {}, cell, el('small', { text: `${row.lot ?? ''} · ${design.chemistry ?? row.chemistry ?? ''}` })),
      el('div', { class: 'subtitle' },
        `Nominal ${num(nominal, 3)} Ah · fabrication ${num((design.fabrication_pressure ?? 0) / 1e6, 0)} MPa · stack ${num((design.stack_pressure ?? 0) / 1e6, 1)} MPa · `,
        el('a', { href: `/mechanics.html?cell=${encodeURIComponent(cell)}`, text: 'particles and binder →' }))),
    el('div', { class: 'spacer' }), buttons));
  const tiles = el('div', { class: 'tiles' });
  const grid = el('div', { class: 'grid' });
  main.append(tiles, grid);

  const vi = panel('Voltage and current', 'measured vs model (SPMe), current > 0 charging', 'span-8');
  const residualPanel = panel('Model residual', 'measured − model; axis within the measured voltage window', 'span-4');
  const socPanel = panel('State of charge', 'EKF on the reduced model, or the electrochemical model (BPX sets)', 'span-4');
  const tempPanel = panel('Temperature', 'cycler probe', 'span-4');
  const fadePanel = panel('Capacity and DC resistance', 'per cycle', 'span-4');
  const forecastPanel = panel('Capacity forecast', 'SOH per cycle, median and 90 % band, end of life at 80 %', 'span-8');
  const cyclesPanel = panel('Cycles', 'newest first', 'span-12', true);
  const alertsPanel = panel('Alerts', 'raised and cleared, newest first', 'span-4', true);
  grid.append(vi.panel, residualPanel.panel, socPanel.panel, tempPanel.panel, fadePanel.panel, forecastPanel.panel, alertsPanel.panel, cyclesPanel.panel);

  const viChart = chart(vi.body, {
    x: { time: true },
    // The measured voltage sets the axis: a model excursion goes off-scale instead of flattening the measurement.
    axes: [{ scale: 'V', label: f('twin_state', 'measured_voltage').label.replace('Measured voltage', 'Voltage'), range: (u) => spanOf(u.data[1], 0.05) },
      { scale: 'A', label: f('telemetry', 'current').label, side: 1 }],
    series: [
      { label: 'Measured V', scale: 'V', color: '#58a6ff', digits: 4 },
      { label: 'Model V', scale: 'V', color: '#f0883e', dash: [5, 3], digits: 4 },
      { label: 'Current', scale: 'A', color: '#3fb950', width: 1, digits: 3 },
    ],
    height: 270,
  });
  const residualMeta = f('twin_state', 'voltage_residual');
  let voltageWindowMv = 1000;
  const residualChart = chart(residualPanel.body, {
    x: { time: true },
    // A residual beyond the measured voltage window is a model failure, not a fit: the axis stops there.
    axes: [{ scale: 'mV', label: residualMeta.label, range: (u) => clampSpan(robustSpan(u.data[1], 10), voltageWindowMv) }],
    series: [{ label: 'Residual', scale: 'mV', color: '#d2a8ff', width: 1, digits: 2 }],
    height: 200,
  });
  const socChart = chart(socPanel.body, {
    x: { time: true },
    axes: [{ scale: 'soc', label: f('twin_state', 'soc').label, range: [0, 100] }],
    series: [{ label: 'SOC', scale: 'soc', color: '#e3b341', digits: 1 }],
    height: 200,
  });
  const tempChart = chart(tempPanel.body, {
    x: { time: true },
    axes: [{ scale: 'C', label: f('telemetry', 'temperature').label }],
    series: [{ label: 'Temperature', scale: 'C', color: '#ff7b72', digits: 2 }],
    height: 200,
  });

  // Windows of what the time charts show: initial query, then live points appended.
  const telemetry = new Window(['current', 'temperature'], range);
  const twin = new Window(['measured', 'model', 'residual', 'soc', 'soh'], range);

  async function loadTimeCharts() {
    telemetry.seconds = range;
    twin.seconds = range;
    const params = { cell, from: `now-${range}s`, to: 'now', points: 1200 };
    const [tel, tw] = await Promise.all([
      series('telemetry', ['current', 'temperature'], params),
      series('twin_state', ['measured_voltage', 'model_voltage', 'voltage_residual', 'soc', 'soh'], params),
    ]);
    const t = tel.series[0];
    telemetry.load(t?.t ?? [], [t?.fields.current.values ?? [], t?.fields.temperature.values ?? []]);
    // Some cyclers log no temperature: say so rather than show an empty chart.
    const hasTemperature = (t?.fields.temperature.values ?? []).some((v) => v !== null);
    tempPanel.panel.querySelector('.note').textContent = hasTemperature ? 'cycler probe' : 'no temperature in this cell\'s data';
    const s = tw.series[0];
    const scale = (values, k) => (values ?? []).map((v) => (v === null ? null : v * k));
    twin.load(s?.t ?? [], [s?.fields.measured_voltage.values ?? [], s?.fields.model_voltage.values ?? [],
      scale(s?.fields.voltage_residual.values, 1000), scale(s?.fields.soc.values, 100), scale(s?.fields.soh.values, 100)]);
    draw();
  }

  function draw() {
    const tw = twin.table();
    const [vLo, vHi] = spanOf(tw[1], 0);
    voltageWindowMv = Math.max(50, (vHi - vLo) * 1000);
    const tel = telemetry.table();
    viChart.setData(join([[tw[0], tw[1], tw[2]], [tel[0], tel[1]]]));
    residualChart.setData([tw[0], tw[3]]);
    socChart.setData([tw[0], tw[4]]);
    tempChart.setData([tel[0], tel[2]]);
  }

  const fadeChart = chart(fadePanel.body, {
    x: { label: 'Cycle [#]', time: false, integer: true },
    axes: [{ scale: 'Ah', label: f('cycle_summary', 'discharge_capacity').label }, { scale: 'mOhm', label: f('cycle_summary', 'dc_resistance').label, side: 1 }],
    series: [
      { label: 'Q discharge', scale: 'Ah', color: '#58a6ff', digits: 4 },
      { label: 'R DC', scale: 'mOhm', color: '#ff7b72', digits: 2 },
    ],
    height: 200,
  });

  const forecastChart = chart(forecastPanel.body, {
    x: { label: 'Cycle [#]', time: false, integer: true },
    axes: [{ scale: 'soh', label: f('twin_state', 'soh').label, range: [60, 102] }],
    series: [
      { label: 'Measured', scale: 'soh', color: '#58a6ff', points: true, size: 3, digits: 2 },
      { label: 'Physics median', scale: 'soh', color: '#f0883e', digits: 2 },
      { label: '5 %', scale: 'soh', color: 'rgba(240,136,62,0.35)', width: 1, digits: 2 },
      { label: '95 %', scale: 'soh', color: 'rgba(240,136,62,0.35)', width: 1, digits: 2 },
      { label: 'Trend median', scale: 'soh', color: '#8b95a5', dash: [4, 4], width: 1, digits: 2 },
      { label: 'End of life', scale: 'soh', color: '#f85149', dash: [2, 3], width: 1, digits: 0 },
    ],
    bands: [[4, 3, 'rgba(240,136,62,0.16)']],
    height: 260,
  });

  async function loadCycles() {
    const [cycles, eol] = await Promise.all([
      series('cycle_summary', ['cycle', 'charge_capacity', 'discharge_capacity', 'coulombic_efficiency', 'discharge_energy',
        'mean_charge_voltage', 'mean_discharge_voltage', 'duration', 'cv_time', 'dc_resistance', 'partial'], { cell, from: 'now-365d', to: 'now+1d', raw: true, points: 2000 }),
      latest('eol_forecast', { cell }),
    ]);
    const c = cycles.series[0];
    const n = c?.t.length ?? 0;
    const get = (name, i) => c.fields[name]?.values[i] ?? null;
    const rowsOut = [];
    for (let i = n - 1; i >= Math.max(0, n - 300); i -= 1) {
      // A partial cycle (first or last seen only in part) has no efficiency: the table says so instead of a number.
      const partial = get('partial', i) === 1;
      rowsOut.push(el('tr', partial ? { class: 'partial', title: 'Partial cycle: the data holds only part of it, so it has no coulombic efficiency' } : {},
        el('td', { text: partial ? `${get('cycle', i)} (partial)` : get('cycle', i) }),
        el('td', { text: num(get('charge_capacity', i), 4) }),
        el('td', { text: num(get('discharge_capacity', i), 4) }),
        el('td', { class: partial ? 'muted' : '', text: partial ? 'partial' : percent(get('coulombic_efficiency', i), 2) }),
        el('td', { text: num(get('discharge_energy', i), 3) }),
        el('td', { text: num(get('mean_charge_voltage', i), 3) }),
        el('td', { text: num(get('mean_discharge_voltage', i), 3) }),
        el('td', { text: num(get('duration', i) / 3600, 2) }),
        el('td', { text: num(get('cv_time', i) / 60, 1) }),
        el('td', { text: get('dc_resistance', i) === null ? '–' : num(get('dc_resistance', i) * 1000, 2) }),
        el('td', { class: 'muted', text: utc(c.t[i]).slice(5, 16) })));
    }
    const headers = ['Cycle [#]', 'Q charge [Ah]', 'Q discharge [Ah]', 'CE [%]', 'E discharge [Wh]', 'V̄ charge [V]', 'V̄ discharge [V]',
      'Duration [h]', 'CV time [min]', 'R DC [mΩ]', 'End [UTC]'];
    cyclesPanel.body.replaceChildren(el('div', { class: 'scroll', style: 'max-height: 300px' }, el('table', { class: 'data', id: 'cycles' },
      el('thead', {}, el('tr', {}, headers.map((h) => el('th', { text: h })))), el('tbody', {}, rowsOut))));

    fadeChart.setData(c ? [c.fields.cycle.values, c.fields.discharge_capacity.values, c.fields.dc_resistance.values.map((r) => (r === null ? null : r * 1000))] : [[], [], []]);

    const physics = eol.find((e) => e.tags.method === 'physics');
    const trend = eol.find((e) => e.tags.method === 'trend');
    const measured = c && nominal ? [c.fields.cycle.values, c.fields.discharge_capacity.values.map((q) => (q === null ? null : q / nominal * 100))] : [[], []];
    const tables = [measured];
    const curve = async (e) => {
      if (!e) return [[], [], [], []];
      const r = await series('forecast', ['cycle', 'soh_median', 'soh_low', 'soh_high'],
        { cell, method: e.tags.method, where: `issued_cycle:${e.fields.issued_cycle}`, from: 'now-365d', to: 'now+3650d', points: 1000 });
      const s = r.series[0];
      if (!s) return [[], [], [], []];
      const pct = (v) => v.map((x) => (x === null ? null : x * 100));
      return [s.fields.cycle.values, pct(s.fields.soh_median.values), pct(s.fields.soh_low.values), pct(s.fields.soh_high.values)];
    };
    const [p, t] = await Promise.all([curve(physics), curve(trend)]);
    tables.push(p, [t[0], t[1]]);
    const lastCycle = Math.max(...(p[0].length ? p[0] : [0]), ...(measured[0].length ? measured[0] : [0]));
    tables.push([[0, lastCycle], [80, 80]]);
    forecastChart.setData(join(tables));
    renderTiles(physics);
  }

  let current = { ...row };
  function renderTiles(physics) {
    if (physics) current.eol = physics.fields;
    const e = current.eol;
    tiles.replaceChildren(
      tile('Status', current.status, null, current.last_seen ? `${age(Date.now() / 1000 - current.last_seen)} ago` : '–',
        current.status === 'offline' ? 'crit' : 'ok'),
      tile('Voltage', num(current.voltage, 3), 'V'),
      tile('Current', num(current.current, 3), 'A', (current.current ?? 0) > 0 ? 'charging' : (current.current ?? 0) < 0 ? 'discharging' : 'rest'),
      tile('Temperature', num(current.temperature, 1), '°C'),
      tile('SOC', percent(current.soc, 1), '%'),
      tile('SOH', percent(current.soh, 2), '%', nominal ? `${num(nominal * (current.soh ?? 0), 3)} Ah` : ''),
      tile('Cycle', current.cycle ?? '–', null),
      tile('Residual', current.residual === null || current.residual === undefined ? '–' : num(current.residual * 1000, 1), 'mV', 'measured − model'),
      tile('End of life', e ? num(e.eol_cycle_median, 0) : '–', 'cycle', e ? `90 %: ${num(e.eol_cycle_low, 0)}–${num(e.eol_cycle_high, 0)}` : '',
        e && e.eol_cycle_median - (current.cycle ?? 0) < 300 ? 'warn' : ''));
  }

  async function loadAlerts() {
    const list = await alerts({ cell, active: 'false' });
    const now = Date.now() / 1000;
    alertsPanel.body.replaceChildren(el('div', { class: 'scroll', style: 'max-height: 300px' }, el('ul', { class: 'alerts' },
      list.length === 0 ? el('li', {}, el('span', { class: 'muted', text: 'No alerts for this cell.' }))
        : list.slice(0, 100).map((a) => el('li', { class: a.active ? '' : 'cleared' },
          el('span', { class: `sev ${a.active ? a.severity : 'info'}`, text: a.active ? a.severity : 'cleared' }),
          el('span', { class: 'muted', text: a.code.replaceAll('_', ' ') }),
          el('span', { class: 'msg', text: a.message }),
          el('span', { class: 'when', text: `${age(now - a.t)} ago` }))))));
  }

  await Promise.all([loadTimeCharts(), loadCycles(), loadAlerts()]);

  let drawPending = false;
  let reloadTimer = null;
  connect({ cell, measurements: 'telemetry,twin_state,cycle_summary,alert,eol_forecast' }, (points) => {
    for (const p of points) {
      if (p.m === 'telemetry') {
        telemetry.append(p.t, [p.f.current, p.f.temperature]);
        Object.assign(current, { voltage: p.f.voltage ?? current.voltage, current: p.f.current ?? current.current,
          temperature: p.f.temperature ?? current.temperature, cycle: p.f.cycle ?? current.cycle, last_seen: p.t,
          status: STEP_STATUS[p.f.step_type] ?? current.status });
      } else if (p.m === 'twin_state') {
        const times = (v, k) => (v === undefined || v === null ? undefined : v * k);
        twin.append(p.t, [p.f.measured_voltage, p.f.model_voltage, times(p.f.voltage_residual, 1000), times(p.f.soc, 100), times(p.f.soh, 100)]);
        Object.assign(current, { soc: p.f.soc ?? current.soc, soh: p.f.soh ?? current.soh, residual: p.f.voltage_residual ?? current.residual });
      } else {
        reloadTimer ??= setTimeout(async () => { reloadTimer = null; await Promise.all([loadCycles(), loadAlerts()]); }, 1000);
      }
    }
    const now = Date.now() / 1000;
    telemetry.trim(now);
    twin.trim(now);
    if (!drawPending) {
      drawPending = true;
      requestAnimationFrame(() => { drawPending = false; draw(); renderTiles(); });
    }
  });
}

/** [min, max] of the non-null values, padded by 10 % (at least `pad`); [0, 1] when there are none. */
function spanOf(values, pad) {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of values ?? []) if (v != null && Number.isFinite(v)) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  if (!Number.isFinite(lo)) return [0, 1];
  const margin = Math.max(pad, (hi - lo) * 0.1);
  return [lo - margin, hi + margin];
}

/** The 1st–99th percentile of the values, padded (at least ±`pad` around them): a few wild points do not set the axis. */
function robustSpan(values, pad) {
  const sorted = (values ?? []).filter((v) => v != null && Number.isFinite(v)).sort((a, b) => a - b);
  if (sorted.length === 0) return [-pad, pad];
  const lo = sorted[Math.floor(0.01 * (sorted.length - 1))];
  const hi = sorted[Math.ceil(0.99 * (sorted.length - 1))];
  const margin = Math.max(pad, (hi - lo) * 0.1);
  return [Math.min(lo, 0) - margin, Math.max(hi, 0) + margin];
}

/** The fleet API's status words for a telemetry step type (services/Dashboard/Api/FleetEndpoints.cs). */
const STEP_STATUS = { cc_charge: 'charging', cv_charge: 'charging', cc_discharge: 'discharging', cv_discharge: 'discharging', rest: 'resting', eis: 'eis' };

/** The span limited to ±limit. */
function clampSpan([lo, hi], limit) {
  return [Math.max(lo, -limit), Math.min(hi, limit)];
}
