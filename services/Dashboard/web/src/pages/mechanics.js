// Particles and binder of one cell over cycles: surface hoop stress against fracture strength per
// size class and electrode, interface gap, damage, binder stress/yield, plastic strain and margin.
import { latest, schema, series } from '../api.js';
import { chart, join } from '../charts.js';
import { connect } from '../live.js';
import { el, num, palette, panel, tile } from '../format.js';

export async function mechanicsPage(main, query) {
  const cell = query.get('cell');
  if (!cell) throw new Error('no cell given (mechanics.html?cell=ID)');
  const catalog = await schema();
  const meta = (m, name) => catalog[m].fields[name];
  const info = (await latest('cell_info', { cell }))[0];

  main.append(el('div', { class: 'titlebar' },
    el('div', {},
      el('h1', {}, `${cell} — particles and binder`, el('small', { text: info?.fields.chemistry ?? '' })),
      el('div', { class: 'subtitle' }, 'Per-cycle states from the mechanics and viscoplastic models · ',
        el('a', { href: `/cell.html?cell=${encodeURIComponent(cell)}`, text: '← cell detail' })))));
  const tiles = el('div', { class: 'tiles' });
  const grid = el('div', { class: 'grid' });
  main.append(tiles, grid);

  const stressNeg = panel('Negative particles: surface hoop stress vs strength', 'solid: stress · dashed: fracture strength', 'span-6');
  const stressPos = panel('Positive particles: surface hoop stress vs strength', 'solid: stress · dashed: fracture strength', 'span-6');
  const gap = panel('Interface gap', 'alert above 25 nm', 'span-4');
  const damage = panel('Particle damage', '0 intact · 1 fractured', 'span-4');
  const centre = panel('Radial stress at particle centre', 'tensile during insertion', 'span-4');
  const binderStress = panel('Binder stress and yield', 'solid: von Mises · dashed: yield', 'span-4');
  const plastic = panel('Binder plastic strain', 'accumulated', 'span-4');
  const margin = panel('Binder fracture margin', '1 − σ/σ_f, alert below 15 %', 'span-4');
  grid.append(stressNeg.panel, stressPos.panel, gap.panel, damage.panel, centre.panel, binderStress.panel, plastic.panel, margin.panel);

  const mpa = (v) => v.map((x) => (x === null ? null : x / 1e6));
  const scaled = (v, k) => v.map((x) => (x === null ? null : x * k));

  // Charts are built on the first load (their series depend on the size classes found) and only refilled after.
  const charts = new Map();
  const once = (key, build) => {
    if (!charts.has(key)) charts.set(key, build());
    return charts.get(key);
  };

  async function load() {
    const range = { cell, from: 'now-365d', to: 'now+1d', raw: true, points: 2000 };
    const [particles, binders] = await Promise.all([
      series('particle', ['cycle', 'radius', 'hoop_stress_surface', 'radial_stress_center', 'interface_gap', 'fracture_strength', 'damage'], range),
      series('binder', ['cycle', 'von_mises_stress', 'yield_stress', 'equivalent_plastic_strain', 'fracture_margin'], range),
    ]);
    const byElectrode = (e) => particles.series.filter((s) => s.tags.electrode === e)
      .sort((a, b) => (a.fields.radius.values[0] ?? 0) - (b.fields.radius.values[0] ?? 0));
    const label = (s) => `${s.tags.electrode === 'negative' ? 'neg' : 'pos'} ${num((s.fields.radius.values[0] ?? 0) * 1e6, 1)} µm`;
    const cycles = (s) => s.fields.cycle.values;

    const stressChart = (target, list) => {
      const c = once(target, () => chart(target.body, {
        x: { label: 'Cycle [#]', time: false, integer: true },
        axes: [{ scale: 'MPa', label: 'Stress, strength [MPa]' }],
        series: list.flatMap((s, i) => [
          { label: label(s), scale: 'MPa', color: palette[i], digits: 1 },
          { label: 'strength', scale: 'MPa', color: palette[i], dash: [5, 4], width: 1, digits: 1 },
        ]),
        height: 230,
      }));
      c.setData(join(list.map((s) => [cycles(s), mpa(s.fields.hoop_stress_surface.values), mpa(s.fields.fracture_strength.values)])));
    };
    stressChart(stressNeg, byElectrode('negative'));
    stressChart(stressPos, byElectrode('positive'));

    const all = [...byElectrode('negative'), ...byElectrode('positive')];
    const perClass = (target, fieldName, m, scale, digits) => {
      const c = once(target, () => chart(target.body, {
        x: { label: 'Cycle [#]', time: false, integer: true },
        axes: [{ scale: 'y', label: m.label }],
        series: all.map((s, i) => ({ label: label(s), scale: 'y', color: palette[i], width: 1.25, digits })),
        height: 200,
      }));
      c.setData(join(all.map((s) => [cycles(s), scaled(s.fields[fieldName].values, scale)])));
    };
    perClass(gap, 'interface_gap', meta('particle', 'interface_gap'), 1e9, 1);
    perClass(damage, 'damage', meta('particle', 'damage'), 100, 2);
    perClass(centre, 'radial_stress_center', meta('particle', 'radial_stress_center'), 1e-6, 1);

    const b = binders.series.sort((x, y) => x.tags.electrode.localeCompare(y.tags.electrode));
    const bLabel = (s) => `${s.tags.electrode} binder`;
    once(binderStress, () => chart(binderStress.body, {
      x: { label: 'Cycle [#]', time: false, integer: true },
      axes: [{ scale: 'MPa', label: 'Binder stress [MPa]' }],
      series: b.flatMap((s, i) => [
        { label: bLabel(s), scale: 'MPa', color: palette[i], digits: 2 },
        { label: 'yield', scale: 'MPa', color: palette[i], dash: [5, 4], width: 1, digits: 2 },
      ]),
      height: 200,
    })).setData(join(b.map((s) => [s.fields.cycle.values, mpa(s.fields.von_mises_stress.values), mpa(s.fields.yield_stress.values)])));
    once(plastic, () => chart(plastic.body, {
      x: { label: 'Cycle [#]', time: false, integer: true },
      axes: [{ scale: 'p', label: meta('binder', 'equivalent_plastic_strain').label }],
      series: b.map((s, i) => ({ label: bLabel(s), scale: 'p', color: palette[i], digits: 3 })),
      height: 200,
    })).setData(join(b.map((s) => [s.fields.cycle.values, scaled(s.fields.equivalent_plastic_strain.values, 100)])));
    const lastCycle = Math.max(0, ...b.flatMap((s) => s.fields.cycle.values));
    once(margin, () => chart(margin.body, {
      x: { label: 'Cycle [#]', time: false, integer: true },
      axes: [{ scale: 'm', label: meta('binder', 'fracture_margin').label }],
      series: [...b.map((s, i) => ({ label: bLabel(s), scale: 'm', color: palette[i], digits: 1 })),
        { label: 'alert', scale: 'm', color: '#f85149', dash: [2, 3], width: 1, digits: 0 }],
      height: 200,
    })).setData(join([...b.map((s) => [s.fields.cycle.values, scaled(s.fields.fracture_margin.values, 100)]), [[0, lastCycle], [15, 15]]]));

    const last = (s, name) => s.fields[name].values[s.fields[name].values.length - 1];
    const ratios = all.map((s) => ({ s, r: last(s, 'hoop_stress_surface') / last(s, 'fracture_strength') }));
    const worst = ratios.reduce((m, x) => (x.r > m.r ? x : m), { r: 0, s: null });
    const maxGap = all.reduce((m, s) => Math.max(m, last(s, 'interface_gap')), 0);
    const maxDamage = all.reduce((m, s) => Math.max(m, last(s, 'damage')), 0);
    const minMargin = b.reduce((m, s) => Math.min(m, last(s, 'fracture_margin')), 1);
    tiles.replaceChildren(
      tile('Stress / strength', num(worst.r * 100, 0), '%', worst.s ? label(worst.s) : '', worst.r >= 0.8 ? 'crit' : worst.r > 0.6 ? 'warn' : 'ok'),
      tile('Largest gap', num(maxGap * 1e9, 1), 'nm', 'interface', maxGap > 25e-9 ? 'warn' : ''),
      tile('Max damage', num(maxDamage * 100, 1), '%', 'any size class', maxDamage > 0.1 ? 'warn' : ''),
      tile('Binder margin', num(minMargin * 100, 1), '%', 'lowest electrode', minMargin < 0.15 ? 'warn' : 'ok'),
      tile('Cycles', lastCycle, null, 'mechanics states'));
  }

  await load();
  let timer = null;
  connect({ cell, measurements: 'particle,binder' }, () => {
    timer ??= setTimeout(async () => { timer = null; await load(); }, 1000);
  });
}
