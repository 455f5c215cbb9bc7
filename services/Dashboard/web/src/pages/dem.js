// DEM study views: stage summary, stress and solid fraction vs depth, particle stress and contacts
// vs particle size (one line per stage), and a comparison of every study's stages.
import { schema, series, tagValues } from '../api.js';
import { chart, join } from '../charts.js';
import { connect } from '../live.js';
import { el, num, palette, panel, percent, tile } from '../format.js';

const stageOrder = ['fill', 'press', 'release', 'cycle'];
const range = { from: 'now-365d', to: 'now+1d', raw: true, points: 1000 };

export async function demPage(main, query) {
  const catalog = await schema();
  const meta = (m, name) => catalog[m].fields[name];
  const studies = await tagValues('dem_stage', 'study');
  if (studies.length === 0) {
    main.append(el('div', { class: 'panel' }, el('div', { class: 'empty', text: 'No DEM study in the store yet.' })));
    return;
  }

  let study = query.get('study') ?? studies[0];
  const picker = el('select', { id: 'study', onchange: (e) => { study = e.target.value; history.replaceState(null, '', `?study=${study}`); load(); } },
    studies.map((s) => el('option', { value: s, text: s, selected: s === study })));
  main.append(el('div', { class: 'titlebar' },
    el('div', {}, el('h1', { text: 'DEM packing studies' }),
      el('div', { class: 'subtitle', text: 'Calendering and cycling of the electrode packing: stage results and profiles' })),
    el('div', { class: 'spacer' }), el('label', { class: 'subtitle' }, 'Study ', picker)));
  const tiles = el('div', { class: 'tiles' });
  const grid = el('div', { class: 'grid' });
  main.append(tiles, grid);

  const depthStress = panel('Normal stress vs depth', 'through the thickness, one line per stage', 'span-6');
  const depthFraction = panel('Solid fraction vs depth', 'one line per stage', 'span-6');
  const sizeStress = panel('Particle stress vs particle size', 'mean per size bin, one line per stage', 'span-6');
  const sizeContacts = panel('Contacts vs particle size', 'per size bin, one line per stage', 'span-6');
  const stages = panel('Stages of this study', 'σ̄ mean stress · Z coordination · φ solid fraction', 'span-6', true);
  const compare = panel('All studies', 'by stage', 'span-6', true);
  grid.append(depthStress.panel, depthFraction.panel, sizeStress.panel, sizeContacts.panel, stages.panel, compare.panel);

  const stageSeries = (scale, digits) => stageOrder.map((s, i) => ({ label: s, scale, color: palette[i], digits }));
  const charts = {
    depthStress: chart(depthStress.body, { x: { label: meta('dem_depth_profile', 'depth').label, time: false, digits: 1 },
      axes: [{ scale: 'MPa', label: meta('dem_depth_profile', 'normal_stress').label }], series: stageSeries('MPa', 2), height: 230 }),
    depthFraction: chart(depthFraction.body, { x: { label: meta('dem_depth_profile', 'depth').label, time: false, digits: 1 },
      axes: [{ scale: 'pct', label: meta('dem_depth_profile', 'solid_fraction').label }], series: stageSeries('pct', 1), height: 230 }),
    sizeStress: chart(sizeStress.body, { x: { label: meta('dem_size_profile', 'particle_radius').label, time: false, digits: 1 },
      axes: [{ scale: 'MPa', label: meta('dem_size_profile', 'mean_stress').label }], series: stageSeries('MPa', 2), height: 230 }),
    sizeContacts: chart(sizeContacts.body, { x: { label: meta('dem_size_profile', 'particle_radius').label, time: false, digits: 1 },
      axes: [{ scale: 'n', label: `${meta('dem_size_profile', 'contact_count').title} [#]` }], series: stageSeries('n', 0), height: 230 }),
  };

  // One frame per (stage, bin): regroup into one sorted profile per stage.
  function profiles(result, xField, yField, xScale, yScale) {
    return stageOrder.map((stage) => {
      const points = result.series.filter((s) => s.tags.stage === stage)
        .map((s) => [s.fields[xField].values.at(-1), s.fields[yField].values.at(-1)])
        .filter(([x, y]) => x !== null && y !== null)
        .sort((a, b) => a[0] - b[0]);
      return [points.map((p) => p[0] * xScale), points.map((p) => p[1] * yScale)];
    });
  }

  async function load() {
    const [depth, size, stage, all] = await Promise.all([
      series('dem_depth_profile', ['depth', 'normal_stress', 'solid_fraction', 'coordination_number'], { study, ...range }),
      series('dem_size_profile', ['particle_radius', 'mean_stress', 'max_stress', 'contact_count'], { study, ...range }),
      series('dem_stage', ['stage_index', 'applied_pressure', 'mean_stress', 'max_stress', 'coordination_number', 'contact_count', 'solid_fraction', 'thickness'], { study, ...range }),
      series('dem_stage', ['stage_index', 'applied_pressure', 'mean_stress', 'solid_fraction', 'coordination_number'], range),
    ]);
    charts.depthStress.setData(join(profiles(depth, 'depth', 'normal_stress', 1e6, 1e-6)));
    charts.depthFraction.setData(join(profiles(depth, 'depth', 'solid_fraction', 1e6, 100)));
    charts.sizeStress.setData(join(profiles(size, 'particle_radius', 'mean_stress', 1e6, 1e-6)));
    charts.sizeContacts.setData(join(profiles(size, 'particle_radius', 'contact_count', 1e6, 1)));

    const last = (s, f) => s.fields[f].values.at(-1);
    const rows = stage.series.slice().sort((a, b) => last(a, 'stage_index') - last(b, 'stage_index'));
    stages.body.replaceChildren(el('table', { class: 'data', id: 'stages' },
      el('thead', {}, el('tr', {}, ['Stage', 'Applied [MPa]', 'σ̄ [MPa]', 'σ max [MPa]', 'Z [#]', 'Contacts [#]', 'φ [%]', 'Thickness [µm]']
        .map((h, i) => el('th', { class: i === 0 ? 'l' : '', text: h })))),
      el('tbody', {}, rows.map((s) => el('tr', {},
        el('td', { class: 'l', text: s.tags.stage }),
        el('td', { text: num(last(s, 'applied_pressure') / 1e6, 1) }),
        el('td', { text: num(last(s, 'mean_stress') / 1e6, 2) }),
        el('td', { text: num(last(s, 'max_stress') / 1e6, 1) }),
        el('td', { text: num(last(s, 'coordination_number'), 2) }),
        el('td', { text: num(last(s, 'contact_count'), 0) }),
        el('td', { text: percent(last(s, 'solid_fraction'), 1) }),
        el('td', { text: num(last(s, 'thickness') * 1e6, 1) }))))));

    const press = rows.find((s) => s.tags.stage === 'press');
    const release = rows.find((s) => s.tags.stage === 'release');
    const cycle = rows.find((s) => s.tags.stage === 'cycle');
    tiles.replaceChildren(
      tile('Calendering', press ? num(last(press, 'applied_pressure') / 1e6, 0) : '–', 'MPa', 'press stage'),
      tile('Solid fraction', release ? percent(last(release, 'solid_fraction'), 1) : '–', '%', 'after release'),
      tile('Residual stress', release ? num(last(release, 'mean_stress') / 1e6, 1) : '–', 'MPa', 'mean, after release'),
      tile('Cycling stress', cycle ? num(last(cycle, 'mean_stress') / 1e6, 1) : '–', 'MPa', 'mean, swelling'),
      tile('Coordination', release ? num(last(release, 'coordination_number'), 2) : '–', null, 'contacts per particle'),
      tile('Thickness', release ? num(last(release, 'thickness') * 1e6, 1) : '–', 'µm', 'after release'));

    const byStudy = new Map();
    for (const s of all.series) {
      if (!byStudy.has(s.tags.study)) byStudy.set(s.tags.study, {});
      byStudy.get(s.tags.study)[s.tags.stage] = s;
    }
    compare.body.replaceChildren(el('table', { class: 'data', id: 'studies' },
      el('thead', {}, el('tr', {}, ['Study', 'Press [MPa]', 'φ press [%]', 'φ release [%]', 'σ̄ release [MPa]', 'σ̄ cycle [MPa]', 'Z release [#]']
        .map((h, i) => el('th', { class: i === 0 ? 'l' : '', text: h })))),
      el('tbody', {}, [...byStudy.entries()].sort().map(([name, st]) => el('tr', { class: name === study ? 'selected' : '' },
        el('td', { class: 'l' }, el('a', { href: `?study=${encodeURIComponent(name)}`, text: name })),
        el('td', { text: st.press ? num(last(st.press, 'applied_pressure') / 1e6, 0) : '–' }),
        el('td', { text: st.press ? percent(last(st.press, 'solid_fraction'), 1) : '–' }),
        el('td', { text: st.release ? percent(last(st.release, 'solid_fraction'), 1) : '–' }),
        el('td', { text: st.release ? num(last(st.release, 'mean_stress') / 1e6, 2) : '–' }),
        el('td', { text: st.cycle ? num(last(st.cycle, 'mean_stress') / 1e6, 2) : '–' }),
        el('td', { text: st.release ? num(last(st.release, 'coordination_number'), 2) : '–' }))))));
  }

  await load();
  let timer = null;
  connect({ measurements: 'dem_stage,dem_depth_profile,dem_size_profile' }, () => {
    timer ??= setTimeout(async () => { timer = null; await load(); }, 1000);
  });
}
