// Fleet overview: tiles, a sortable table of every cell (status, SOH, SOC, V, I, T, residual, EOL,
// alerts), the active alerts, capacity fade of all cells and a per-lot summary; rows update live.
import { fleet, schema, series } from '../api.js';
import { chart, join } from '../charts.js';
import { connect } from '../live.js';
import { age, el, num, palette, panel, percent, severityRank, statusOf, tile } from '../format.js';

const shortCode = { particle_strength: 'strength', interface_gap: 'gap', binder_fracture: 'binder', fabrication_pressure: 'fab. pressure',
  voltage_residual: 'residual', end_of_life: 'EOL' };

const columns = [
  { key: 'status', label: 'Status', left: true },
  { key: 'cell', label: 'Cell', left: true },
  { key: 'lot', label: 'Lot', left: true },
  { key: 'cycle', label: 'Cycle [#]' },
  { key: 'soh', label: 'SOH [%]' },
  { key: 'soc', label: 'SOC [%]' },
  { key: 'voltage', label: 'V [V]' },
  { key: 'current', label: 'I [A]' },
  { key: 'temperature', label: 'T [°C]' },
  { key: 'residual', label: 'Resid. [mV]' },
  { key: 'eol_cycle', label: 'EOL [cycle]' },
  { key: 'last_seen', label: 'Last sample' },
  { key: 'alerts', label: 'Alerts', left: true },
];

export async function fleetPage(main) {
  const catalog = await schema();
  let data = await fleet();
  const rows = new Map(data.cells.map((c) => [c.cell, c]));
  let sort = { key: 'alerts', asc: true };

  const title = el('div', { class: 'titlebar' },
    el('div', {}, el('h1', { text: 'Fleet overview' }),
      el('div', { class: 'subtitle', text: `${data.cells.length} cells in ${data.lots.length} lots · store: ${data.source} · times in UTC` })));
  const tiles = el('div', { class: 'tiles' });
  const grid = el('div', { class: 'grid' });
  main.append(title, tiles, grid);

  const table = panel('Cells', 'click a column to sort · click a cell for its detail', 'span-8', true);
  const tableBody = el('tbody');
  const head = el('tr', {}, columns.map((c) => el('th', {
    class: `sortable ${c.left ? 'l' : ''}`,
    'data-key': c.key,
    text: c.label,
    onclick: () => { sort = { key: c.key, asc: sort.key === c.key ? !sort.asc : true }; render(); },
  })));
  table.body.append(el('div', { class: 'scroll', style: 'max-height: 430px' }, el('table', { class: 'data', id: 'cells' }, el('thead', {}, head), tableBody)));

  const alertPanel = panel('Active alerts', 'most severe first', 'span-4', true);
  const alertList = el('ul', { class: 'alerts' });
  alertPanel.body.append(el('div', { class: 'scroll', style: 'max-height: 430px' }, alertList));

  const capacity = panel('Capacity fade — every cell', 'discharge capacity per cycle, coloured by cell', 'span-8');
  const lots = panel('Lots', 'fabrication pressure drives cracking', 'span-4', true);
  grid.append(table.panel, alertPanel.panel, capacity.panel, lots.panel);

  function value(row, key) {
    if (key === 'alerts') return row.alerts.length ? Math.min(...row.alerts.map((a) => severityRank[a.severity] ?? 3)) : 9;
    if (key === 'last_seen') return row.last_seen ? -row.last_seen : null;
    return row[key];
  }

  function render() {
    const list = [...rows.values()].sort((a, b) => {
      const x = value(a, sort.key);
      const y = value(b, sort.key);
      if (x === y) return a.cell.localeCompare(b.cell);
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      const order = typeof x === 'string' ? x.localeCompare(y) : x - y;
      return sort.asc ? order : -order;
    });
    head.querySelectorAll('th').forEach((th) => {
      th.classList.toggle('sorted', th.dataset.key === sort.key);
      th.classList.toggle('asc', th.dataset.key === sort.key && sort.asc);
    });
    const now = Date.now() / 1000;
    tableBody.replaceChildren(...list.map((r) => {
      const sohTone = r.soh === null ? '' : r.soh < 0.85 ? 'crit' : r.soh < 0.93 ? 'warn' : '';
      return el('tr', { 'data-cell': r.cell },
        el('td', { class: 'l' }, el('span', { class: `status ${r.status}`, text: r.status })),
        el('td', { class: 'l' }, el('a', { href: `/cell.html?cell=${encodeURIComponent(r.cell)}`, text: r.cell })),
        el('td', { class: 'l muted', text: r.lot ?? '–' }),
        el('td', { text: r.cycle ?? '–' }),
        el('td', {}, percent(r.soh), el('span', { class: `bar ${sohTone}` }, el('i', { style: `width:${Math.max(0, Math.min(100, ((r.soh ?? 0) - 0.7) / 0.3 * 100))}%` }))),
        el('td', { text: percent(r.soc, 0) }),
        el('td', { text: num(r.voltage, 3) }),
        el('td', { text: num(r.current, 2) }),
        el('td', { text: num(r.temperature, 1) }),
        el('td', { text: r.residual === null ? '–' : num(r.residual * 1000, 1) }),
        el('td', { text: r.eol_cycle === null ? '–' : num(r.eol_cycle, 0) }),
        el('td', { class: 'muted', text: r.last_seen ? `${age(now - r.last_seen)} ago` : '–' }),
        el('td', { class: 'l' }, r.alerts.length === 0 ? el('span', { class: 'muted', text: '—' })
          : ['critical', 'warning', 'info'].map((sev) => {
            const list = r.alerts.filter((a) => a.severity === sev);
            return list.length === 0 ? null : el('span', { class: `badge ${sev}`, title: list.map((a) => a.message).join('\n'),
              text: list.length === 1 ? shortCode[list[0].code] ?? list[0].code : `${list.length} ${sev === 'critical' ? 'critical' : 'warnings'}` });
          })));
    }));
    renderTiles(list);
  }

  function renderTiles(list) {
    const count = (s) => list.filter((r) => r.status === s).length;
    const online = list.filter((r) => r.status !== 'offline' && r.status !== 'paused').length;
    const all = list.flatMap((r) => r.alerts);
    const critical = all.filter((a) => a.severity === 'critical').length;
    const warnings = all.filter((a) => a.severity === 'warning').length;
    const soh = list.filter((r) => r.soh !== null);
    const mean = soh.length ? soh.reduce((s, r) => s + r.soh, 0) / soh.length : null;
    const lowest = soh.length ? soh.reduce((m, r) => (r.soh < m.soh ? r : m)) : null;
    const eol = list.filter((r) => r.eol_cycle !== null);
    const earliest = eol.length ? eol.reduce((m, r) => (r.eol_cycle - r.cycle < m.eol_cycle - m.cycle ? r : m)) : null;
    tiles.replaceChildren(
      tile('Cells online', `${online}/${list.length}`, null, `${count('offline') + count('paused')} offline`, online < list.length ? 'warn' : 'ok'),
      tile('Charging', count('charging'), null, 'CC or CV'),
      tile('Discharging', count('discharging'), null, 'CC or CV'),
      tile('Resting', count('resting'), null, 'open circuit'),
      tile('Critical alerts', critical, null, critical ? 'needs action' : 'none', critical ? 'crit' : 'ok'),
      tile('Warnings', warnings, null, 'active', warnings ? 'warn' : ''),
      tile('Mean SOH', percent(mean), '%', 'capacity / nominal'),
      tile('Lowest SOH', percent(lowest?.soh), '%', lowest?.cell ?? '–', lowest && lowest.soh < 0.9 ? 'warn' : ''),
      tile('Nearest end of life', earliest ? num(earliest.eol_cycle - earliest.cycle, 0) : '–', 'cycles', earliest ? `${earliest.cell} · 80 % SOH` : '–'));
  }

  function renderAlerts() {
    const now = Date.now() / 1000;
    const all = [...rows.values()].flatMap((r) => r.alerts)
      .sort((a, b) => (severityRank[a.severity] - severityRank[b.severity]) || b.t - a.t);
    alertList.replaceChildren(...(all.length === 0 ? [el('li', {}, el('span', { class: 'muted', text: 'No active alerts.' }))]
      : all.map((a) => el('li', {},
        el('span', { class: `sev ${a.severity}`, text: a.severity }),
        el('a', { href: `/cell.html?cell=${encodeURIComponent(a.cell)}`, text: a.cell }),
        el('span', { class: 'msg', text: a.message }),
        el('span', { class: 'when', text: `${age(now - a.t)} ago` })))));
  }

  function renderLots() {
    const byLot = new Map();
    for (const r of rows.values()) {
      const lot = r.lot ?? '–';
      if (!byLot.has(lot)) byLot.set(lot, []);
      byLot.get(lot).push(r);
    }
    const body = [...byLot.entries()].sort().map(([lot, list]) => {
      const soh = list.map((r) => r.soh).filter((v) => v !== null);
      const alerts = list.flatMap((r) => r.alerts);
      return el('tr', {},
        el('td', { class: 'l', text: lot }),
        el('td', { text: list.length }),
        el('td', { text: soh.length ? percent(soh.reduce((s, v) => s + v, 0) / soh.length) : '–' }),
        el('td', { text: soh.length ? percent(Math.min(...soh)) : '–' }),
        el('td', { text: list[0].fabrication_pressure ? num(list[0].fabrication_pressure / 1e6, 0) : '–' }),
        el('td', { text: alerts.filter((a) => a.severity === 'critical').length }),
        el('td', { text: alerts.filter((a) => a.severity === 'warning').length }));
    });
    lots.body.replaceChildren(el('table', { class: 'data' },
      el('thead', {}, el('tr', {}, ['Lot', 'Cells', 'SOH mean [%]', 'SOH min [%]', 'Fab. [MPa]', 'Critical', 'Warn.'].map((h, i) => el('th', { class: i === 0 ? 'l' : '', text: h })))),
      el('tbody', {}, body)));
  }

  render();
  renderAlerts();
  renderLots();

  const meta = catalog.cycle_summary.fields.discharge_capacity;
  const fade = await series('cycle_summary', ['cycle', 'discharge_capacity'], { from: 'now-365d', to: 'now+1d', raw: true, points: 2000 });
  const cells = fade.series.map((s) => s.tags.cell);
  const plot = chart(capacity.body, {
    x: { label: 'Cycle [#]', time: false, integer: true },
    axes: [{ scale: 'Ah', label: meta.label }],
    // Points as well as lines: a cell with one finished cycle so far still shows.
    series: cells.map((cell, i) => ({ label: cell, scale: 'Ah', color: palette[i % palette.length], width: 1.25, digits: 3, points: true, line: true, size: 5 })),
    height: 240,
  });
  plot.setData(join(fade.series.map((s) => [s.fields.cycle.values, s.fields.discharge_capacity.values])));

  let pending = false;
  let refetch = null;
  connect({ measurements: 'telemetry,twin_state,alert,cell_info,eol_forecast' }, (points) => {
    for (const p of points) {
      const cell = p.tags.cell;
      if (!cell) continue;
      if (p.m === 'telemetry' || p.m === 'twin_state') {
        const row = rows.get(cell);
        if (!row) { refetch ??= setTimeout(reload, 500); continue; }
        if (p.m === 'telemetry') {
          Object.assign(row, { voltage: p.f.voltage ?? row.voltage, current: p.f.current ?? row.current, temperature: p.f.temperature ?? row.temperature,
            cycle: p.f.cycle ?? row.cycle, last_seen: p.t, status: statusOf(p.f.step_type) });
        } else {
          Object.assign(row, { soh: p.f.soh ?? row.soh, soc: p.f.soc ?? row.soc, residual: p.f.voltage_residual ?? row.residual });
        }
      } else {
        refetch ??= setTimeout(reload, 1000);
      }
    }
    if (!pending) {
      pending = true;
      setTimeout(() => { pending = false; render(); }, 400);
    }
  });

  async function reload() {
    refetch = null;
    data = await fleet();
    for (const c of data.cells) rows.set(c.cell, c);
    render();
    renderAlerts();
    renderLots();
  }

  setInterval(render, 5000);
}
