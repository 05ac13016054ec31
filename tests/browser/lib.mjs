// The browser test harness: the real `guichet` binary on a fresh SQLite database (demo data and
// the knowledge-base fixture loaded), Debian's chromium driven by playwright-core, and the checks
// every page gets: <html lang>, axe-core (WCAG 2.1 A/AA), CSP violations and console errors,
// keyboard focus, a full-page screenshot. One server and one browser serve a whole test file.
import { spawn, execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import assert from 'node:assert/strict';
import { after, before } from 'node:test';
import { chromium } from 'playwright-core';

const run = promisify(execFile);
const require = createRequire(import.meta.url);

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const fixtures = path.join(repoRoot, 'tests/browser/fixtures');
export const artifactsDir = path.resolve(
  process.env.GUICHET_BROWSER_ARTIFACTS || path.join(repoRoot, 'build/browser-artifacts'));

// The binary under test: --guichet PATH (when a file is run directly), then GUICHET_BIN (what
// tests/browser/run sets, since `node --test` does not pass arguments on to test files), then
// the debug build.
export function guichetBinary() {
  const at = process.argv.indexOf('--guichet');
  const bin = (at > 0 && process.argv[at + 1]) || process.env.GUICHET_BIN ||
    path.join(repoRoot, 'build/debug/guichet');
  if (!existsSync(bin)) throw new Error(`guichet binary not found at ${bin} (set GUICHET_BIN)`);
  return path.resolve(bin);
}

// --- The server ---------------------------------------------------------------------------------

// "  agent    Voirie et propreté   agent1@demo.guichet.local   s3cret" → { role, team, email,
// password }. The demo prints its passwords once; they are random on every run.
function parseDemoLogins(out) {
  const logins = [];
  for (const line of out.split('\n')) {
    const m = /^\s+(\S+)\s+(.+?)\s+(\S+@\S+)\s+(\S+)\s*$/.exec(line);
    if (m && m[1] !== 'role') logins.push({ role: m[1], team: m[2], email: m[3], password: m[4] });
  }
  return logins;
}

// Starts `guichet serve` on port 0 over a new database in a temporary folder. Resolves to
// { url, logins, articles (external id → stored article, as the public API shows it), login(role),
// stop() }. On a failed start nothing is left running or on disk.
export async function startServer({ bin = guichetBinary() } = {}) {
  const dir = await mkdtemp(path.join(tmpdir(), 'guichet-browser-'));
  let server;
  const stop = async () => {
    if (server && server.exitCode === null && server.signalCode === null) {
      server.kill('SIGTERM');  // graceful shutdown: in-flight requests finish
      const [code, signal] = await once(server, 'exit');
      assert.equal(code, 0, `guichet serve stopped with ${code ?? signal}`);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const db = `sqlite:${path.join(dir, 'g.db')}`;
    // Jobs off: nothing in the background competes with the browser on a small machine.
    const env = { ...process.env, GUICHET_JOBS_ENABLED: 'false' };
    const cli = (...args) => run(bin, args, { env, maxBuffer: 16 << 20 });
    await cli('admin', 'migrate', '--db', db);
    // A small, fixed demo: enough rows for lists, quick to load.
    const demo = await cli('demo', '--db', db, '--count', '40', '--seed', '7');
    const logins = parseDemoLogins(demo.stdout);
    assert.ok(logins.length > 0, `no logins found in the demo's output:\n${demo.stdout}`);
    await cli('import', 'kb', '--db', db, '--format', 'jsonl',
      path.join(fixtures, 'articles.jsonl'));

    server = spawn(bin, ['serve', '--db', db, '--listen', '127.0.0.1:0'], {
      env: {
        ...env,
        GUICHET_SEARCH_INDEX_DIR: path.join(dir, 'search'),
        GUICHET_RULES_DIR: path.join(repoRoot, 'rules/examples'),
      },
      stdio: ['ignore', 'inherit', 'pipe'],
    });
    const url = await listeningUrl(server);
    await waitReady(url);
    // Stored ids are the database's: look the fixture articles up through the public API.
    const list = await (await fetch(`${url}/api/v1/kb/articles?limit=200`)).json();
    const articles = Object.fromEntries(list.items.map((a) => [a.external_id, a]));
    return {
      url, logins, articles, stop,
      login(role) {
        const l = logins.find((x) => x.role === role);
        assert.ok(l, `no demo login with role ${role}`);
        return l;
      },
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

// The URL of the server_listening line among the JSON log lines `guichet serve` writes on
// stderr. Error lines are passed on to the test's own stderr for as long as it runs.
function listeningUrl(server) {
  const log = [];  // explains a failed start
  return new Promise((resolve, reject) => {
    const fail = (why) => reject(new Error(`guichet serve ${why}:\n${log.join('\n')}`));
    const timer = setTimeout(() => fail('wrote no server_listening line in 30 s'), 30000);
    server.once('exit', (code, signal) => fail(`exited (${code ?? signal})`));
    createInterface({ input: server.stderr }).on('line', (line) => {
      if (log.length < 200) log.push(line);
      let e;
      try { e = JSON.parse(line); } catch { return; }
      if (e.event === 'server_listening') {
        clearTimeout(timer);
        resolve(e.url);
      } else if (e.level === 'error') {
        process.stderr.write(`guichet: ${line}\n`);
      }
    });
  });
}

async function waitReady(url) {
  for (let i = 0; i < 100; i++) {
    try {
      if ((await fetch(`${url}/readyz`)).ok) return;
    } catch { /* not accepting yet */ }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url}/readyz never answered 200`);
}

// Starts a server and a browser before the file's tests and stops both after them; the returned
// object's `server` and `browser` are set once they run.
export function serverAndBrowser() {
  const env = { server: undefined, browser: undefined };
  before(async () => {
    // Both started at once; allSettled so that one's failure still leaves the other to close.
    const started = await Promise.allSettled([startServer(), launchBrowser()]);
    [env.server, env.browser] = started.map((r) => r.value);
    for (const r of started) if (r.status === 'rejected') throw r.reason;
  });
  after(async () => {
    await env.browser?.close();
    await env.server?.stop();
  });
  return env;
}

// --- The browser --------------------------------------------------------------------------------

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || '/usr/bin/chromium',
    // --no-sandbox: CI runs as root. The rest keep chromium off the (closed) network: without
    // them it keeps trying to reach Google's services.
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--disable-quic', '--no-first-run'],
  });
}

// A fresh context (own cookies) and page whose CSP violations, console errors and uncaught
// exceptions are recorded in page.problems.
export async function newPage(browser, { locale = 'fr-FR' } = {}) {
  const context = await browser.newContext({ locale, viewport: { width: 1280, height: 800 } });
  const page = await context.newPage();
  const problems = { csp: [], console: [], errors: [] };
  page.problems = problems;
  // A binding plus an init script: both go through devtools, so the page's own CSP cannot
  // block them, and every document of the page reports, not only the last one.
  await page.exposeBinding('__guichetCspViolation', (_source, v) => problems.csp.push(v));
  await page.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      window.__guichetCspViolation({
        directive: e.effectiveDirective, blocked: e.blockedURI, source: e.sourceFile,
        line: e.lineNumber, sample: e.sample,
      });
    });
  });
  page.on('console', (m) => {
    if (m.type() === 'error') problems.console.push({ text: m.text(), url: m.location().url });
  });
  page.on('pageerror', (e) => problems.errors.push(String(e)));
  return page;
}

// Asserts the page reported no CSP violation, console error or uncaught exception. `allow`
// lists the console errors that are expected: RegExps of their text, or predicates of
// { text, url }.
export function assertNoProblems(page, { allow = [] } = {}) {
  const { csp, errors } = page.problems;
  const allowed = (m) => allow.some((a) => (a instanceof RegExp ? a.test(m.text) : a(m)));
  const logged = page.problems.console.filter((m) => !allowed(m));
  assert.deepEqual(csp, [], `CSP violations on ${page.url()}:\n${JSON.stringify(csp, null, 2)}`);
  assert.deepEqual(errors, [], `uncaught exceptions on ${page.url()}`);
  assert.deepEqual(logged, [], `console errors on ${page.url()}`);
}

// Logs the page's context in as a demo user (the session cookie lands in the context's jar).
export async function loginAs(page, server, role) {
  const { email, password } = server.login(role);
  const r = await page.context().request.post(`${server.url}/api/v1/session`,
    { data: { email, password } });
  assert.equal(r.status(), 200, `login as ${role}: ${await r.text()}`);
  return r.json();
}

// --- Checks -------------------------------------------------------------------------------------

// Asserts <html lang> is set and its primary subtag is `expected` ("fr" matches "fr-FR").
export async function expectLang(page, expected) {
  const lang = await page.evaluate(() => document.documentElement.getAttribute('lang'));
  assert.ok(lang && lang.trim(), `${page.url()}: <html> has no lang attribute`);
  assert.equal(lang.trim().toLowerCase().split('-')[0], expected.toLowerCase(),
    `${page.url()}: <html lang="${lang}">, expected ${expected}`);
  return lang;
}

let axeSource;
const axeTags = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];

// Runs axe-core on the page (WCAG 2.1 A and AA rules) and fails on any serious or critical
// violation, naming each rule, its help and the offending nodes. The pages forbid inline
// scripts (CSP script-src 'self'), so a <script> tag would be blocked: the source is evaluated
// through devtools instead, which CSP does not govern (no bypassCSP, so the page's real policy
// is what the other checks see). Returns all violations, minor ones included.
export async function checkAccessibility(page, { disableRules = [] } = {}) {
  axeSource ??= await readFile(require.resolve('axe-core/axe.min.js'), 'utf8');
  if (!(await page.evaluate(() => typeof window.axe === 'object'))) await page.evaluate(axeSource);
  const { violations } = await page.evaluate(
    ([tags, disabled]) => window.axe.run(document, {
      runOnly: { type: 'tag', values: tags },
      rules: Object.fromEntries(disabled.map((id) => [id, { enabled: false }])),
      resultTypes: ['violations'],
    }),
    [axeTags, disableRules]);
  const describe = (v) => `  ${v.id} (${v.impact}): ${v.help}\n    ${v.helpUrl}\n` +
    v.nodes.map((n) => `    - ${n.target.join(' ')}\n      ${n.failureSummary.replace(/\n/g, '\n      ')}`).join('\n');
  const minor = violations.filter((v) => !['serious', 'critical'].includes(v.impact));
  if (minor.length) console.log(`axe on ${page.url()}, not failing:\n${minor.map(describe).join('\n')}`);
  const serious = violations.filter((v) => ['serious', 'critical'].includes(v.impact));
  assert.ok(serious.length === 0,
    `axe found ${serious.length} serious or critical violation(s) on ${page.url()}:\n` +
    serious.map(describe).join('\n'));
  return violations;
}

// Presses Tab until focus comes back to an element already seen (or leaves the document) and
// returns the focused elements in order: { tag, id, text, href, focusVisible }. focusVisible
// says whether the element shows a focus indicator (an outline or a box shadow), WCAG 2.4.7.
export async function tabThrough(page, { max = 200 } = {}) {
  const seen = [];
  await page.evaluate(() => { document.activeElement?.blur(); window.focus(); });
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    const el = await page.evaluate(() => {
      const e = document.activeElement;
      if (!e || e === document.body || e === document.documentElement) return null;
      if (!e.dataset.guichetTab) e.dataset.guichetTab = String(Math.random());
      const s = getComputedStyle(e);
      const outline = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) > 0;
      return {
        key: e.dataset.guichetTab, tag: e.tagName.toLowerCase(), id: e.id || undefined,
        text: (e.innerText || e.value || e.getAttribute('aria-label') || '').trim().slice(0, 60),
        href: e.getAttribute('href') || undefined,
        focusVisible: outline || s.boxShadow !== 'none',
      };
    });
    if (!el || seen.some((x) => x.key === el.key)) break;
    seen.push(el);
  }
  await page.evaluate(() => document.querySelectorAll('[data-guichet-tab]')
    .forEach((e) => delete e.dataset.guichetTab));
  return seen.map(({ key, ...rest }) => rest);
}

// A full-page PNG in the artifacts folder (never committed); returns its path.
export async function screenshot(page, name) {
  await mkdir(artifactsDir, { recursive: true });
  const file = path.join(artifactsDir, `${name.replace(/[^\w.-]+/g, '_')}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}
