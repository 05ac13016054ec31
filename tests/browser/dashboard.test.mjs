// The supervisor dashboard in a real browser: as a lead and as an admin (in English), the page
// passes axe (WCAG 2.1 A/AA), every focusable element shows its focus, the charts are drawn from
// the tables (uPlot canvases) without a CSP violation, each table links to its CSV file; an agent
// is refused. Then the supervisor's counts change: a request made through the API shows in
// today's count after a reload.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser,
  assertNoProblems, checkAccessibility, expectLang, loginAs, newPage, screenshot, tabThrough,
} from './lib.mjs';

const env = serverAndBrowser();

// Today's count: the last row of the per-day table (the default period ends today, UTC).
async function todayCount(page) {
  const row = page.locator('#dash-volumes-par-jour tbody tr').last();
  const day = (await row.locator('th').textContent()).trim();
  assert.equal(day, new Date().toISOString().slice(0, 10), 'the last row is today');
  return parseInt((await row.locator('td').first().textContent()).trim(), 10);
}

async function checkPage(page, name) {
  await screenshot(page, name);
  await checkAccessibility(page);
  const focused = await tabThrough(page);
  const hidden = focused.filter((f) => !f.focusVisible);
  assert.deepEqual(hidden, [], 'elements reached by Tab without a visible focus indicator');
  // Charts: drawn by uPlot from the tables, hidden from assistive technologies.
  await page.waitForSelector('.dash-chart canvas');
  assert.ok(await page.locator('.dash-chart canvas').count() >= 4, 'a chart per charted table');
  assert.equal(await page.locator('.dash-chart[aria-hidden=true]').count(),
    await page.locator('.dash-chart').count());
  assert.equal(await page.locator('table.dash-table caption').count(), 6);
  assert.equal(await page.locator('a[href*=".csv?"]').count(), 6);
  assertNoProblems(page);
}

describe('dashboard', () => {
  test('a lead sees their figures, and today\'s count follows a new request', async () => {
    const page = await newPage(env.browser);
    try {
      const session = await loginAs(page, env.server, 'lead');
      const response = await page.goto(`${env.server.url}/agent/tableau-de-bord`);
      assert.equal(response.status(), 200);
      await expectLang(page, 'fr');
      assert.equal((await page.locator('h1').textContent()).trim(), 'Tableau de bord');
      // The staff bar links to it.
      assert.equal(await page.locator('.staff-bar a[href^="/agent/tableau-de-bord"]').count(), 1);
      await checkPage(page, 'dashboard-lead');
      const before = await todayCount(page);

      // A request in the lead's team, through the API.
      const lead = env.server.login('lead');
      const teams = await (await page.request.get(`${env.server.url}/api/v1/teams`)).json();
      const team = (teams.items ?? teams).find((t) => t.name === lead.team);
      assert.ok(team, `the lead's team ${lead.team}`);
      const categories = await (await page.request.get(`${env.server.url}/api/v1/categories`)).json();
      const category = (categories.items ?? categories).find((c) => c.default_team_id === team.id);
      assert.ok(category, `a category of ${lead.team}`);
      const made = await page.request.post(`${env.server.url}/api/v1/requests`, {
        headers: { 'X-CSRF-Token': session.csrf_token },
        data: {
          subject: 'Nouvelle demande du tableau de bord', description: 'Pour compter.',
          channel: 'phone', category: category.slug,
        },
      });
      assert.equal(made.status(), 201, await made.text());

      await page.reload();
      assert.equal(await todayCount(page), before + 1, 'today\'s count went up by one');
      await screenshot(page, 'dashboard-lead-after');
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  });

  test('an admin chooses a period and a team, in English', async () => {
    const page = await newPage(env.browser, { locale: 'en-GB' });
    try {
      await loginAs(page, env.server, 'admin');
      await page.goto(`${env.server.url}/agent/tableau-de-bord?lang=en`);
      await expectLang(page, 'en');
      await checkPage(page, 'dashboard-admin-en');
      // The period form: seven days, one team.
      const today = new Date();
      const week = new Date(today.getTime() - 6 * 86400000).toISOString().slice(0, 10);
      await page.fill('#dash-from', week);
      await page.selectOption('#dash-team', { index: 1 });
      await Promise.all([page.waitForURL(/team=\d+/), page.click('.dash-filter button')]);
      assert.equal(await page.locator('#dash-volumes-par-jour tbody tr').count(), 7);
      assert.equal(await page.locator('#dash-volumes-par-equipe tbody tr').count(), 1);
      await checkAccessibility(page);
      await screenshot(page, 'dashboard-admin-team');
      // The CSV link downloads the table.
      const href = await page.locator('a[href^="/agent/tableau-de-bord/stock.csv"]').getAttribute('href');
      const csv = await page.request.get(env.server.url + href);
      assert.equal(csv.status(), 200);
      assert.equal(csv.headers()['content-type'], 'text/csv; charset=utf-8');
      assert.match(csv.headers()['content-disposition'], /^attachment; filename="guichet-stock-/);
      assert.match(await csv.text(), /^\uFEFFTeam,New,Open,/);
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  });

  test('an agent is refused, on an accessible page', async () => {
    const page = await newPage(env.browser);
    try {
      await loginAs(page, env.server, 'agent');
      const response = await page.goto(`${env.server.url}/agent/tableau-de-bord`);
      assert.equal(response.status(), 403);
      assert.equal((await page.locator('h1').textContent()).trim(), 'Accès refusé');
      assert.equal(await page.locator('.staff-bar a[href^="/agent/tableau-de-bord"]').count(), 0);
      await checkAccessibility(page);
      await screenshot(page, 'dashboard-agent-refused');
      assertNoProblems(page, { allow: [(m) => m.text.includes('status of 403')] });
    } finally {
      await page.context().close();
    }
  });
});
