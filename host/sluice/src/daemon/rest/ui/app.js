// Sluice's status page: polls the daemon's REST API and draws what it says.
//
// Plain JavaScript, no framework and no build step: the file is embedded in the binary
// as written and must work with no network but the daemon's. Everything that comes
// from the API is written with textContent, never parsed as markup. Each pipeline's
// card is built once and updated in place at every poll, so a button does not move or
// lose focus under the pointer.
'use strict';

const POLL_MS = 1000;
// A reading that takes longer (Kafka not answering the lag query, say) is given up, so
// the page shows itself stale instead of hanging on it.
const READ_TIMEOUT_MS = 15000;
// Points per sparkline: a minute at one poll a second.
const HISTORY = 60;
// sessionStorage, not localStorage: the token goes when the tab does.
const TOKEN_KEY = 'sluice.rest.token';
const SVG_NS = 'http://www.w3.org/2000/svg';

const $ = (id) => document.getElementById(id);
const numbers = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const decimals = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const path = (name) => encodeURIComponent(name);

/** An element with a class and, optionally, text. */
function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A button that calls `onClick`; `testId` names it for the browser test. */
function button(label, testId, onClick) {
  const b = el('button', 'action', label);
  b.type = 'button';
  b.dataset.testid = testId;
  b.addEventListener('click', onClick);
  return b;
}

/**
 * Makes `nodes` the children of `parent` after its first `keep`, in order, moving only
 * what is out of place: a node that stays is never taken out, so a click on it holds.
 */
function placeChildren(parent, nodes, keep = 0) {
  nodes.forEach((node, i) => {
    const at = parent.children[keep + i];
    if (at !== node) parent.insertBefore(node, at || null);
  });
  while (parent.children.length > keep + nodes.length) parent.lastElementChild.remove();
}

function formatCount(n) {
  return n === null || n === undefined ? '—' : numbers.format(n);
}

function formatRate(n) {
  if (n === null || n === undefined) return '—';
  return (n < 10 ? decimals : numbers).format(n);
}

// ---- the REST API -------------------------------------------------------------------

class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

/** The message of a failed call: Connect's `{"message"}`, else the body or status. */
async function failure(response) {
  const text = await response.text().catch(() => '');
  let message = text || response.statusText;
  try {
    const body = JSON.parse(text);
    if (body && typeof body.message === 'string') message = body.message;
  } catch (_) { /* not JSON: the text as it came */ }
  return new HttpError(response.status, message);
}

function read(url) {
  return fetch(url, { cache: 'no-store', signal: AbortSignal.timeout(READ_TIMEOUT_MS) });
}

async function getJson(url) {
  const response = await read(url);
  if (!response.ok) throw await failure(response);
  return response.json();
}

/** A call that changes something, with the token if one was entered. */
async function mutate(method, url) {
  const headers = {};
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(url, { method, headers, cache: 'no-store' });
  if (!response.ok) throw await failure(response);
  return response.status;
}

// ---- notices and the token ----------------------------------------------------------

let noticeTimer = null;

function showNotice(kind, text) {
  const notice = $('notice');
  notice.dataset.kind = kind;
  $('notice-text').textContent = text;
  notice.hidden = false;
  clearTimeout(noticeTimer);
  // Successes fade; errors stay until dismissed or replaced.
  if (kind === 'ok') noticeTimer = setTimeout(() => { notice.hidden = true; }, 4000);
}

function showTokenState() {
  const set = Boolean(sessionStorage.getItem(TOKEN_KEY));
  $('token-state').textContent = set ? 'token set' : 'read-only until a token is set';
  $('token-state').dataset.set = String(set);
  if (set) $('token-form').classList.remove('wanted');
}

function setUpToken() {
  $('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const value = $('token').value.trim();
    if (value) sessionStorage.setItem(TOKEN_KEY, value);
    else sessionStorage.removeItem(TOKEN_KEY);
    $('token').value = '';
    showTokenState();
  });
  $('token-clear').addEventListener('click', () => {
    sessionStorage.removeItem(TOKEN_KEY);
    $('token').value = '';
    showTokenState();
  });
  $('notice-close').addEventListener('click', () => { $('notice').hidden = true; });
  showTokenState();
}

/** Runs a button's call, says how it went, and polls at once to show its effect. */
async function act(what, method, url, buttons) {
  buttons.forEach((b) => { b.disabled = true; });
  showNotice('info', `${what}…`);
  try {
    const status = await mutate(method, url);
    showNotice('ok', `${what}: done (${status})`);
  } catch (e) {
    if (e.status === 401) {
      $('token-form').classList.add('wanted');
      $('token').focus();
      showNotice('error', `401 Unauthorized: ${what} needs the API token (rest.auth.token). `
        + 'Enter it above and try again.');
    } else {
      showNotice('error', `${what} failed${e.status ? ` (${e.status})` : ''}: ${e.message}`);
    }
  } finally {
    pollSoon(0);
  }
}

// ---- sparklines -----------------------------------------------------------------------

/** A value over the last HISTORY polls, drawn as an inline SVG line with its area. */
class Sparkline {
  constructor(label, testId) {
    this.values = [];
    this.root = el('div', 'spark');
    const head = el('div', 'spark-head');
    head.append(el('span', 'spark-label', label));
    this.current = el('span', 'spark-value', '—');
    this.current.dataset.testid = testId;
    head.append(this.current);
    this.svg = document.createElementNS(SVG_NS, 'svg');
    this.svg.setAttribute('viewBox', '0 0 120 32');
    this.svg.setAttribute('preserveAspectRatio', 'none');
    this.svg.setAttribute('aria-hidden', 'true');
    // The baseline spans the whole width, so that the part with no readings yet reads
    // as a time axis still to fill rather than as a broken chart.
    const base = document.createElementNS(SVG_NS, 'path');
    base.setAttribute('class', 'spark-base');
    base.setAttribute('d', 'M0,31.5 L120,31.5');
    this.area = document.createElementNS(SVG_NS, 'path');
    this.area.setAttribute('class', 'spark-area');
    this.line = document.createElementNS(SVG_NS, 'path');
    this.line.setAttribute('class', 'spark-line');
    this.svg.append(base, this.area, this.line);
    this.root.append(head, this.svg);
  }

  /** Adds a reading (null: unknown, drawn as a gap) and redraws. */
  push(value, text) {
    this.values.push(value);
    if (this.values.length > HISTORY) this.values.shift();
    this.current.textContent = text;
    this.current.dataset.value = value === null ? '' : String(value);
    this.draw();
  }

  draw() {
    const known = this.values.filter((v) => v !== null);
    const top = Math.max(1, ...known) * 1.1;
    const step = 120 / (HISTORY - 1);
    // The newest point is at the right edge; older ones scroll left.
    const offset = HISTORY - this.values.length;
    let line = '';
    let area = '';
    let segment = [];
    const close = () => {
      if (segment.length > 0) {
        const [first] = segment[0];
        const [last] = segment[segment.length - 1];
        area += `M${first},32 ${segment.map(([x, y]) => `L${x},${y}`).join(' ')} L${last},32 Z `;
      }
      segment = [];
    };
    this.values.forEach((v, i) => {
      if (v === null) {
        close();
        return;
      }
      const x = ((offset + i) * step).toFixed(1);
      const y = (31 - (v / top) * 29).toFixed(1);
      line += `${segment.length === 0 ? 'M' : 'L'}${x},${y} `;
      segment.push([x, y]);
    });
    close();
    this.line.setAttribute('d', line.trim());
    this.area.setAttribute('d', area.trim());
  }
}

// ---- one pipeline ---------------------------------------------------------------------

/** The state to show: Connect's, with Sluice's DEGRADED for a task waiting out an outage. */
function stateOf(status, summary) {
  const connector = (status && status.connector) || {};
  const tasks = (status && status.tasks) || [];
  let state = connector.state || 'UNKNOWN';
  const degraded = tasks.filter((t) => t.degraded);
  if (state === 'RUNNING' && (degraded.length > 0 || (summary && summary.state === 'degraded'))) {
    state = 'DEGRADED';
  }
  const reasons = [];
  if (connector.trace) reasons.push(connector.trace);
  for (const t of tasks) {
    if (t.trace && t.trace !== connector.trace) reasons.push(`task ${t.id}: ${t.trace}`);
    if (t.degraded) {
      const d = t.degraded;
      reasons.push(`task ${t.id} is waiting for ${d.waiting_for} (attempt ${d.attempts}): ${d.reason}`);
    }
  }
  return { state, reason: reasons.join('\n') };
}

const STAT_LABELS = [
  ['records_in', 'Consumed', 'records-in'],
  ['records_written', 'Written', 'records-written'],
  ['records_dead_lettered', 'Dead-lettered', 'dead-lettered'],
  ['records_discarded', 'Filtered out', 'discarded'],
  ['batch_retries', 'Batch retries', 'retries'],
];

const TRANSFORM_COLUMNS = ['Alias', 'Component', 'Digest', 'Version', 'Since', 'Records',
  'Errors', ''];

class Card {
  constructor(name) {
    this.name = name;
    this.previous = null; // the last summary's {at, records} (records_in)
    this.busy = false;
    this.root = el('section', 'card');
    this.root.dataset.pipeline = name;

    const head = el('div', 'card-head');
    const title = el('div', 'title');
    title.append(el('h2', '', name));
    this.kind = el('span', 'tag');
    this.topics = el('span', 'topics');
    title.append(this.kind, this.topics);
    this.badge = el('span', 'state');
    this.badge.dataset.testid = 'state';
    const actions = el('div', 'actions');
    this.pause = button('Pause', 'pause', () => this.call('pause', 'PUT', 'pause'));
    this.resume = button('Resume', 'resume', () => this.call('resume', 'PUT', 'resume'));
    this.restart = button('Restart', 'restart', () => this.call('restart', 'POST', 'restart'));
    actions.append(this.pause, this.resume, this.restart);
    head.append(title, this.badge, actions);

    this.reason = el('pre', 'reason');
    this.reason.dataset.testid = 'reason';
    this.reason.hidden = true;

    const figures = el('div', 'figures');
    this.rate = new Sparkline('Records/s consumed', 'rate');
    this.lag = new Sparkline('Lag (records behind)', 'lag');
    const stats = el('dl', 'stats');
    this.stats = {};
    for (const [key, label, testId] of STAT_LABELS) {
      const cell = el('div', 'stat');
      const value = el('dd', '', '—');
      value.dataset.testid = testId;
      cell.append(el('dt', '', label), value);
      stats.append(cell);
      this.stats[key] = value;
    }
    figures.append(this.rate.root, this.lag.root, stats);

    const lower = el('div', 'lower');
    const tables = el('div', 'panel');
    tables.append(el('h3', '', 'Rows per table'));
    this.tables = el('table', 'list');
    this.tables.dataset.testid = 'tables';
    tables.append(this.tables);
    const transforms = el('div', 'panel wide');
    transforms.append(el('h3', '', 'Transforms'));
    this.transforms = el('table', 'list');
    this.transforms.dataset.testid = 'transforms';
    this.transformHead = el('tr');
    for (const h of TRANSFORM_COLUMNS) this.transformHead.append(el('th', '', h));
    this.transformRows = new Map(); // alias -> TransformRow
    transforms.append(this.transforms);
    lower.append(tables, transforms);

    this.root.append(head, this.reason, figures, lower);
  }

  async call(verb, method, endpoint) {
    this.busy = true;
    const what = `${verb[0].toUpperCase()}${verb.slice(1)} ${this.name}`;
    try {
      await act(what, method, `connectors/${path(this.name)}/${endpoint}`,
        [this.pause, this.resume, this.restart]);
    } finally {
      this.busy = false;
    }
  }

  /**
   * Redraws from one poll's answers (any may be missing): the pipeline's status, info,
   * summary and transforms, and when the summaries were read (`at_ms`).
   */
  update(status, info, summary, at, transforms) {
    const { state, reason } = stateOf(status, summary);
    this.root.dataset.state = state.toLowerCase();
    this.badge.textContent = state;
    this.reason.textContent = reason;
    this.reason.hidden = reason === '';

    this.kind.textContent = (info && info.type) || (status && status.type) || '';
    const config = (info && info.config) || {};
    const topics = config.topics || (config['topics.regex'] && `/${config['topics.regex']}/`)
      || config['kafka.topic'] || '';
    this.topics.textContent = topics ? `topics: ${topics}` : '';

    if (!this.busy) {
      const running = state === 'RUNNING' || state === 'DEGRADED';
      this.pause.disabled = !running;
      this.resume.disabled = !(state === 'PAUSED' || state === 'STOPPED');
      this.restart.disabled = false;
    }

    const counters = (summary && summary.counters) || null;
    for (const [key, value] of Object.entries(this.stats)) {
      const n = counters ? counters[key] : null;
      value.textContent = formatCount(n);
      value.dataset.value = n === null || n === undefined ? '' : String(n);
    }
    this.drawRate(summary, at);
    const lag = summary ? summary.lag : null;
    const lagText = lag === null || lag === undefined ? '—' : formatCount(lag);
    this.lag.push(lag === undefined ? null : lag, lagText);
    this.lag.root.title = (summary && summary.lag_error) || '';

    this.drawTables((summary && summary.rows_per_table) || {});
    this.drawTransforms(transforms);
  }

  drawRate(summary, at) {
    if (!summary) {
      this.previous = null;
      this.rate.push(null, '—');
      return;
    }
    const now = { at, records: summary.counters.records_in };
    let rate = null;
    const before = this.previous;
    // A restarted pipeline counts from zero again: no rate across that.
    if (before && now.at > before.at && now.records >= before.records) {
      rate = (now.records - before.records) / ((now.at - before.at) / 1000);
    }
    this.previous = now;
    this.rate.push(rate, formatRate(rate));
  }

  drawTables(rows) {
    const body = document.createDocumentFragment();
    const entries = Object.entries(rows);
    if (entries.length === 0) {
      const tr = el('tr');
      tr.append(el('td', 'muted', 'No rows written yet'));
      body.append(tr);
    }
    for (const [table, n] of entries) {
      const tr = el('tr');
      tr.dataset.table = table;
      tr.append(el('td', 'mono', table), el('td', 'num', formatCount(n)));
      body.append(tr);
    }
    this.tables.replaceChildren(body);
  }

  drawTransforms(transforms) {
    if (!transforms || transforms.length === 0) {
      this.transformRows.clear();
      const tr = el('tr');
      tr.append(el('td', 'muted', transforms ? 'No transforms' : 'Not running'));
      this.transforms.replaceChildren(tr);
      return;
    }
    const rows = transforms.map((t) => {
      let row = this.transformRows.get(t.alias);
      if (!row) {
        row = new TransformRow(this.name, t.alias);
        this.transformRows.set(t.alias, row);
      }
      row.update(t);
      return row.root;
    });
    const aliases = new Set(transforms.map((t) => t.alias));
    for (const alias of this.transformRows.keys()) {
      if (!aliases.has(alias)) this.transformRows.delete(alias);
    }
    placeChildren(this.transforms, [this.transformHead, ...rows]);
  }
}

/** One transform's row: built once, updated in place (its button stays under the pointer). */
class TransformRow {
  constructor(pipeline, alias) {
    this.root = el('tr');
    this.root.dataset.alias = alias;
    this.cells = TRANSFORM_COLUMNS.map(() => el('td'));
    this.rollback = button('Roll back', 'rollback', () => act(
      `Roll back ${pipeline}/${alias}`, 'POST',
      `connectors/${path(pipeline)}/transforms/${path(alias)}/rollback`, [this.rollback],
    ));
    this.cells[7].className = 'actions';
    this.cells[7].append(this.rollback);
    this.root.append(...this.cells);
  }

  update(t) {
    const [alias, component, digest, revision, since, records, errors] = this.cells;
    alias.className = 'mono';
    alias.textContent = t.alias;
    component.textContent = t.component;
    digest.className = 'mono';
    digest.textContent = (t.digest || '').slice(0, 12);
    digest.title = `SHA-256 ${t.digest}`;
    // Each swap that took (a deploy or a rollback) makes a new revision, as a
    // Kubernetes rollout does; the digest says which code it runs.
    revision.className = 'num';
    revision.textContent = `rev ${1 + (t.swaps || 0)}`;
    revision.title = `${t.swaps || 0} swap(s) took since the pipeline started, `
      + `${t.rollbacks || 0} rolled back after a failed first batch`;
    since.textContent = t.loaded_at ? new Date(t.loaded_at).toLocaleTimeString() : '—';
    since.title = t.loaded_at ? new Date(t.loaded_at).toString() : '';
    records.className = 'num';
    records.textContent = formatCount(t.records);
    errors.className = t.errors ? 'num bad' : 'num';
    errors.textContent = formatCount(t.errors);
    this.rollback.disabled = !t.previous_digest;
    this.rollback.title = t.previous_digest
      ? `back to ${t.previous_digest.slice(0, 12)}`
      : 'no previous version to roll back to';
  }
}

// ---- polling --------------------------------------------------------------------------

const cards = new Map();
let timer = null;
let polling = false;
let again = false;

/** Polls after `delay` ms, or right after the poll under way. */
function pollSoon(delay) {
  if (polling) {
    again = true;
    return;
  }
  clearTimeout(timer);
  timer = setTimeout(poll, delay);
}

async function health() {
  const response = await read('health');
  const body = await response.json().catch(() => ({}));
  return { ok: response.ok, message: body.message || '' };
}

async function poll() {
  polling = true;
  try {
    const [connectors, summary, healthy] = await Promise.all([
      getJson('connectors?expand=status&expand=info'),
      getJson('metrics/pipelines'),
      health(),
    ]);
    const names = Object.keys(connectors).sort();
    // A pipeline deleted meanwhile answers 404: it is gone at the next poll.
    const transforms = await Promise.all(names.map((n) => (summary.pipelines[n]
      ? getJson(`connectors/${path(n)}/transforms`).catch(() => null)
      : Promise.resolve(null))));
    draw(names, connectors, summary, transforms);
    $('health').dataset.health = healthy.ok ? 'healthy' : 'unhealthy';
    $('health').textContent = healthy.ok ? 'healthy' : `unhealthy: ${healthy.message}`;
    document.body.classList.remove('stale');
    $('updated').textContent = new Date().toLocaleTimeString();
  } catch (e) {
    // Keep the last picture, marked stale, and keep trying.
    document.body.classList.add('stale');
    $('health').dataset.health = 'unreachable';
    $('health').textContent = `cannot read the API: ${e.message}`;
  } finally {
    polling = false;
    const delay = again ? 0 : POLL_MS;
    again = false;
    pollSoon(delay);
  }
}

function draw(names, connectors, summary, transforms) {
  const main = $('pipelines');
  $('empty').hidden = names.length > 0;
  $('empty').textContent = 'No pipelines. Start one with `sluice run pipeline.yaml`, '
    + 'or create one with POST /connectors.';
  for (const name of cards.keys()) {
    if (!(name in connectors)) cards.delete(name);
  }
  const ordered = names.map((name, i) => {
    let card = cards.get(name);
    if (!card) {
      card = new Card(name);
      cards.set(name, card);
    }
    const entry = connectors[name] || {};
    card.update(entry.status, entry.info, summary.pipelines[name], summary.at_ms, transforms[i]);
    return card.root;
  });
  // In name order, after the "no pipelines" line.
  placeChildren(main, ordered, 1);
}

async function version() {
  try {
    const root = await getJson('./');
    $('version').textContent = `${root.version} · ${root.commit}`;
  } catch (_) { /* the poll says when the daemon is unreachable */ }
}

setUpToken();
version();
poll();
