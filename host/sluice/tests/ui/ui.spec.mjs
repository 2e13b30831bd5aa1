// Drives the daemon's status page (GET /ui) in headless Chromium, as an operator would:
// run by host/sluice/tests/ui.rs against a daemon whose pipeline takes a steady stream.
// Plain node with playwright-core (no test runner): every wait is one of Playwright's
// (waitForFunction, locator.waitFor), never a fixed sleep. Exits non-zero on the first
// failed check, saying which; prints one line per check that passed.
//
// Environment: SLUICE_URL (the API, no trailing slash), SLUICE_TOKEN, SLUICE_PIPELINE,
// SLUICE_DIGEST (the digest REST lists for its transform `stamp`), SLUICE_SCREENSHOT
// (the PNG to write), SLUICE_CHROMIUM (the browser's executable).
import { chromium } from 'playwright-core';

const env = (name) => {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
};
const url = env('SLUICE_URL');
const token = env('SLUICE_TOKEN');
const name = env('SLUICE_PIPELINE');
const digest = env('SLUICE_DIGEST');
const screenshot = env('SLUICE_SCREENSHOT');
const executablePath = env('SLUICE_CHROMIUM');

// Generous: a debug build on a busy 2-core machine.
const TIMEOUT = 60_000;

const passed = (what) => console.log(`ok: ${what}`);
function check(condition, what) {
  if (!condition) throw new Error(`check failed: ${what}`);
  passed(what);
}

/** The REST API's own word on the pipeline's state, asked from here, not the page. */
async function restState() {
  const response = await fetch(`${url}/connectors/${encodeURIComponent(name)}/status`);
  return (await response.json()).connector.state;
}

const browser = await chromium.launch({ executablePath, headless: true });
let page;
try {
  page = await browser.newPage({ viewport: { width: 1360, height: 900 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    // A CSP violation or a failed script shows here; a 401 the page handles does not
    // count (Chromium logs every failed fetch as a console error).
    if (m.type() === 'error' && !/status of 401/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  // The page must work offline: everything it loads comes from the daemon.
  page.on('request', (r) => {
    if (!r.url().startsWith(url) && !r.url().startsWith('data:')) problems.push(`fetched ${r.url()}`);
  });

  // GET /ui needs no token.
  const response = await page.goto(`${url}/ui`);
  check(response.status() === 200, `GET /ui answers 200 without a token (got ${response.status()})`);
  check(/script-src 'self'/.test(response.headers()['content-security-policy'] || ''),
    'GET /ui sends a Content-Security-Policy that allows only its own scripts');

  const card = `[data-pipeline="${name}"]`;
  const field = (testId) => `${card} [data-testid="${testId}"]`;
  const stateIs = (state) => page.waitForFunction(
    ([selector, expected]) => document.querySelector(selector)?.textContent === expected,
    [field('state'), state], { timeout: TIMEOUT, polling: 100 },
  );
  /** Waits until a number the page shows (its data-value) passes `above`; returns it. */
  const numberAbove = async (testId, above) => (await page.waitForFunction(
    ([selector, floor]) => {
      const raw = document.querySelector(selector)?.dataset.value;
      const n = raw ? Number(raw) : NaN;
      return n > floor ? n : false;
    },
    [field(testId), above], { timeout: TIMEOUT, polling: 100 },
  )).jsonValue();

  await page.locator(card).waitFor({ timeout: TIMEOUT });
  await stateIs('RUNNING');
  passed(`the page shows ${name} RUNNING`);

  // Counts rise: two readings of the rows written, the second larger.
  const first = await numberAbove('records-written', 0);
  const second = await numberAbove('records-written', first);
  check(second > first, `records written rise on the page: ${first} then ${second}`);
  const rate = await numberAbove('rate', 0);
  passed(`the page shows a throughput of ${rate} records/s`);
  await page.locator(`${field('tables')} tr[data-table]`).first().waitFor({ timeout: TIMEOUT });
  passed('the page lists rows per table');
  const transform = page.locator(`${field('transforms')} tr[data-alias="stamp"]`);
  await transform.waitFor({ timeout: TIMEOUT });
  const shown = transform.locator('td.mono').nth(1);
  check(await shown.textContent() === digest.slice(0, 12)
    && await shown.getAttribute('title') === `SHA-256 ${digest}`,
    `the transform stamp is listed with its digest (${digest.slice(0, 12)}…)`);

  // Without the token a pause is refused, and the page says so.
  await page.click(field('pause'));
  await page.locator('#notice[data-kind="error"]', { hasText: '401' }).waitFor({ timeout: TIMEOUT });
  passed(`without the token, pause shows: ${await page.textContent('#notice-text')}`);
  check(await restState() === 'RUNNING', 'the refused pause changed nothing (REST: RUNNING)');

  await page.fill('#token', token);
  await page.click('#token-save');
  await page.locator('#token-state', { hasText: 'token set' }).waitFor({ timeout: TIMEOUT });
  passed('the token is entered');

  await page.click(field('pause'));
  await stateIs('PAUSED');
  passed('pause: the page shows PAUSED');
  check(await restState() === 'PAUSED', 'the REST status agrees: PAUSED');
  // Paused, it consumes nothing while the stream goes on: it falls behind.
  const lag = await numberAbove('lag', 0);
  passed(`paused, the page shows a lag of ${lag} records`);

  await page.click(field('resume'));
  await stateIs('RUNNING');
  passed('resume: the page shows RUNNING');
  check(await restState() === 'RUNNING', 'the REST status agrees: RUNNING');
  const after = await numberAbove('records-written', second);
  passed(`records written rise again after resume: ${after}`);

  // A sparkline of a dozen readings, the last few since resume, before the picture.
  await page.waitForFunction(
    (selector) => (document.querySelector(selector)?.getAttribute('d')?.match(/L/g) || []).length >= 12,
    `${card} .spark-line`, { timeout: TIMEOUT, polling: 200 },
  );
  passed('the throughput sparkline holds a dozen readings');
  check(problems.length === 0, `no page errors, console errors or outside requests${
    problems.length ? `: ${problems.join('; ')}` : ''}`);

  await page.screenshot({ path: screenshot, fullPage: true });
  passed(`screenshot: ${screenshot}`);
} catch (e) {
  console.error(e.stack || String(e));
  // What the page looked like when it failed, for whoever reads the report.
  if (page) await page.screenshot({ path: screenshot.replace(/\.png$/, '-failed.png'), fullPage: true }).catch(() => {});
  process.exitCode = 1;
} finally {
  await browser.close();
}
