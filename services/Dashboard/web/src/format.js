// Number, unit, time and age formatting shared by the pages (tabular, fixed precision).

export function num(value, digits = 2) {
  if (value === null || value === undefined || Number.isNaN(value)) return '–';
  return Number(value).toFixed(digits);
}

/** A stored value in its display unit: value × scale, with the unit. */
export function shown(value, meta, digits = 2) {
  if (value === null || value === undefined) return '–';
  return `${num(value * (meta?.scale ?? 1), digits)}`;
}

export function percent(fraction, digits = 1) {
  if (fraction === null || fraction === undefined) return '–';
  return (fraction * 100).toFixed(digits);
}

export function age(seconds) {
  if (seconds === null || seconds === undefined) return '–';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${(s / 3600).toFixed(1)} h`;
  return `${(s / 86400).toFixed(1)} d`;
}

export function utc(seconds) {
  if (!seconds) return '–';
  return new Date(seconds * 1000).toISOString().replace('T', ' ').slice(0, 19) + ' UTC';
}

export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') node.className = v;
    else if (k === 'text') node.textContent = v;
    else if (k.startsWith('on')) node.addEventListener(k.slice(2), v);
    else node.setAttribute(k, v === true ? '' : v);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** A panel with a header (title, note) and a body; returns { panel, body, head }. */
export function panel(title, note, span = 'span-6', flush = false) {
  const head = el('div', { class: 'head' }, el('h2', { text: title }), note ? el('span', { class: 'note', text: note }) : null);
  const body = el('div', { class: flush ? 'body flush' : 'body' });
  const node = el('section', { class: `panel ${span}` }, head, body);
  return { panel: node, body, head };
}

export function tile(key, value, unit, sub, tone) {
  return el('div', { class: `tile ${tone ?? ''}` },
    el('div', { class: 'k', text: key }),
    el('div', { class: 'v' }, value, unit ? el('span', { class: 'u', text: unit }) : null),
    sub ? el('div', { class: 's', text: sub }) : null);
}

export function statusOf(stepType) {
  switch (stepType) {
    case 'cc_charge': case 'cv_charge': return 'charging';
    case 'cc_discharge': case 'cv_discharge': return 'discharging';
    case 'rest': return 'resting';
    case 'eis': return 'eis';
    default: return 'cycling';
  }
}

export const severityRank = { critical: 0, warning: 1, info: 2 };

export const palette = ['#58a6ff', '#f0883e', '#3fb950', '#d2a8ff', '#ff7b72', '#e3b341', '#39c5cf', '#8b949e', '#a5d6ff', '#ffa657'];
