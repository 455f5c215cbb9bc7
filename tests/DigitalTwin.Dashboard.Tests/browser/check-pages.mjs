// Opens every dashboard page in Debian's headless Chromium (playwright-core), waits for the page to
// draw its data and for live updates, injects a point through /write and waits for it on screen,
// collects console errors and failed requests, saves full-page screenshots, prints one JSON report.
// Usage: node check-pages.mjs BASE_URL SCREENSHOT_DIR [CELL] [STUDY]
import { mkdir } from 'node:fs/promises';
import { chromium } from 'playwright-core';

const [baseUrl, outDir, cell = 'L24A-01', study = 'calender-180MPa'] = process.argv.slice(2);
if (!baseUrl || !outDir) {
  console.error('usage: node check-pages.mjs BASE_URL SCREENSHOT_DIR [CELL] [STUDY]');
  process.exit(2);
}

// Flags from the machine notes: without the background-networking ones Chromium keeps dialling out.
const args = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage', '--font-render-hinting=none'];

const pages = [
  { name: 'fleet', path: '/', inject: 'LIVE-CHECK', waitFor: '#cells tbody tr' },
  { name: 'cell', path: `/cell.html?cell=${encodeURIComponent(cell)}`, waitFor: '#cycles tbody tr' },
  { name: 'mechanics', path: `/mechanics.html?cell=${encodeURIComponent(cell)}`, waitFor: '.uplot', live: 'inject-particle' },
  { name: 'dem', path: `/dem.html?study=${encodeURIComponent(study)}`, waitFor: '#stages tbody tr', live: 'inject-dem' },
];

await mkdir(outDir, { recursive: true });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium', headless: true, args });
const report = [];
try {
  for (const spec of pages) {
    report.push(await check(spec));
  }
} finally {
  await browser.close();
}
console.log(JSON.stringify(report));

async function check(spec) {
  const context = await browser.newContext({ viewport: { width: 1600, height: 1000 }, timezoneId: 'UTC', locale: 'en-GB' });
  const page = await context.newPage();
  const result = { name: spec.name, path: spec.path, ready: false, liveEvents: 0, consoleErrors: [], pageErrors: [], badResponses: [], checks: {} };
  page.on('console', (message) => { if (message.type() === 'error') result.consoleErrors.push(message.text()); });
  page.on('pageerror', (error) => result.pageErrors.push(String(error)));
  page.on('response', (response) => { if (response.status() >= 400) result.badResponses.push(`${response.status()} ${response.url()}`); });
  const started = Date.now();
  try {
    await page.goto(baseUrl + spec.path, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('body[data-ready]', { timeout: 30_000 });
    result.ready = (await page.getAttribute('body', 'data-ready')) === 'true';
    await page.waitForSelector(spec.waitFor, { timeout: 10_000 });
    result.checks.charts = await page.locator('.uplot').count();

    // Live writes below go out only once the page's stream is connected (the "hello" event).
    await page.waitForSelector('.live.on', { timeout: 10_000 });

    if (spec.inject) {
      // A cell nobody has written before: it must appear in the table without a reload.
      const now = Date.now() * 1e6;
      const body = `telemetry,cell=${spec.inject},lot=TEST voltage=3.3333,current=0.5,temperature=24.5,cycle=1i,step_type="rest" ${now}\n`
        + `twin_state,cell=${spec.inject},lot=TEST,model=spme soc=0.5,soh=0.99,voltage_residual=0.001 ${now}\n`;
      const response = await page.request.post(`${baseUrl}/write?db=twin`, { data: body, headers: { 'content-type': 'text/plain' } });
      result.checks.injectStatus = response.status();
      await page.waitForSelector(`tr[data-cell="${spec.inject}"]`, { timeout: 15_000 });
      result.checks.injectedRow = await page.locator(`tr[data-cell="${spec.inject}"]`).innerText();
    }

    if (spec.live) {
      // These states change once per cycle or study: write one (v2 API) and wait for the stream to deliver it.
      const now = Date.now() * 1e6;
      const line = spec.live === 'inject-dem'
        ? `dem_stage,study=${study},stage=cycle stage_index=3i,applied_pressure=1000000,mean_stress=9000000,max_stress=20000000,coordination_number=6.1,contact_count=18000i,solid_fraction=0.7,thickness=0.00007 ${now}\n`
        : `binder,cell=${cell},electrode=negative,lot=TEST von_mises_stress=6300000,yield_stress=6700000,equivalent_plastic_strain=0.0108,fracture_margin=0.11,cycle=160i ${now}\n`;
      const response = await page.request.post(`${baseUrl}/api/v2/write?org=pilot&bucket=twin`, { data: line, headers: { 'content-type': 'text/plain' } });
      result.checks.injectStatus = response.status();
    }

    // A live update has arrived when the page has applied a stream message (two where the demo streams continuously).
    const needed = spec.live ? 1 : 2;
    await page.waitForFunction((n) => Number(document.body.dataset.liveEvents ?? 0) >= n, needed, { timeout: 20_000 });
    result.liveEvents = Number(await page.getAttribute('body', 'data-live-events'));
    result.checks.liveIndicator = await page.locator('.live .label').innerText();
    await page.screenshot({ path: `${outDir}/${spec.name}.png`, fullPage: true });
    result.screenshot = `${outDir}/${spec.name}.png`;
  } catch (error) {
    result.error = String(error.message ?? error);
    try { await page.screenshot({ path: `${outDir}/${spec.name}-failed.png`, fullPage: true }); } catch { /* page gone */ }
  }
  result.seconds = (Date.now() - started) / 1000;
  await context.close();
  return result;
}
