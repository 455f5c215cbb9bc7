// REST client for the dashboard's query API (/api/v1/...): series, latest points, fleet, alerts,
// and the schema catalog (units, display scales and axis labels of every field).

let schemaPromise = null;

export async function getJson(path, params = {}) {
  const url = new URL(path, window.location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, String(v));
  }
  const response = await fetch(url);
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { message = (await response.json()).error ?? message; } catch { /* not JSON */ }
    throw new Error(`${url.pathname}: ${message}`);
  }
  return response.json();
}

/** Field metadata by measurement and field: { unit, display_unit, scale, label, title }. */
export function schema() {
  schemaPromise ??= getJson('/api/v1/schema').then((list) => {
    const byName = {};
    for (const m of list) byName[m.name] = m;
    return byName;
  });
  return schemaPromise;
}

export async function field(measurement, name) {
  const s = await schema();
  const f = s[measurement]?.fields?.[name];
  if (!f) throw new Error(`schema has no field ${measurement}.${name}`);
  return f;
}

/** Series over a time range; returns the API response ({ bucket_s, fields, series: [{ tags, t, fields }] }). */
export function series(measurement, fields, params) {
  return getJson('/api/v1/series', { measurement, fields: fields.join(','), ...params });
}

export function latest(measurement, params) {
  return getJson('/api/v1/latest', { measurement, ...params });
}

export function fleet() {
  return getJson('/api/v1/fleet');
}

export function alerts(params) {
  return getJson('/api/v1/alerts', params);
}

export function tagValues(measurement, tag, params) {
  return getJson(`/api/v1/tags/${encodeURIComponent(measurement)}/${encodeURIComponent(tag)}`, params);
}
