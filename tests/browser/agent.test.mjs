// The agent workspace end to end in a real browser: a citizen makes a request through /demande
// (with a category of the agent's team, so it lands in that team's queue); the agent signs in
// through /agent/connexion, finds it in their queues (filters included), moves through the queue
// with j/k and opens it with Enter, accepts the AI's suggestion (the demo loads no AI decisions,
// so the admin first turns the language suggestion on, as a desk would), inserts a suggested
// article into the reply, replies; the citizen reads the reply on their follow-up page. Bulk
// actions and the shortcuts list are checked too; axe and a screenshot on each page state.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser,
  assertNoProblems, checkAccessibility, loginAs, newPage, screenshot,
} from './lib.mjs';

const env = serverAndBrowser();

// The admin turns triage.language to "suggest" (the demo leaves AI off), and finds a category
// whose default team is the demo agent's.
async function prepareDesk(agent) {
  const admin = await newPage(env.browser);
  try {
    const session = await loginAs(admin, env.server, 'admin');
    const api = (p) => `${env.server.url}/api/v1${p}`;
    const settings = await (await admin.request.get(api('/ai/settings'))).json();
    const language = settings.items.find((s) => s.feature === 'triage.language');
    const put = await admin.request.put(api('/ai/settings/triage.language'), {
      headers: { 'X-CSRF-Token': session.csrf_token },
      data: { mode: 'suggest', threshold: 0.5, version: language.version },
    });
    assert.equal(put.status(), 200, await put.text());
    const teams = (await (await admin.request.get(api('/teams'))).json()).items;
    const team = teams.find((t) => t.name === agent.team);
    assert.ok(team, `the demo agent's team ${agent.team}`);
    const categories = (await (await admin.request.get(api('/categories'))).json()).items;
    const category = categories.find((c) => c.default_team_id === team.id);
    assert.ok(category, `a category of ${agent.team}`);
    // The triage reads its policies at most once a second.
    await new Promise((done) => setTimeout(done, 1200));
    return category;
  } finally {
    await admin.context().close();
  }
}

// The focused element: { id, tag, text, href }.
function focused(page) {
  return page.evaluate(() => {
    const e = document.activeElement;
    return { id: e?.id, tag: e?.tagName.toLowerCase(), text: e?.textContent.trim(),
      href: e?.getAttribute('href') };
  });
}

describe('agent workspace', () => {
  test('a citizen request is found, triaged, answered, and the citizen reads the answer', async () => {
    const agent = env.server.login('agent');
    const category = await prepareDesk(agent);

    // The citizen's requests, in the agent's team through its category: an earlier one (so that
    // the queue has rows to move through), then the one followed here.
    const citizen = await newPage(env.browser);
    await citizen.goto(`${env.server.url}/demande`);
    await citizen.selectOption('#category', category.slug);
    await citizen.fill('#subject', 'Question sur un dossier');
    await citizen.fill('#description', 'Bonjour, où en est mon dossier déposé le mois dernier ?');
    await citizen.fill('#email', 'dominique@example.org');
    await citizen.check('#consent');
    await Promise.all([citizen.waitForSelector('.reference'),
      citizen.click('form.request-form button[type=submit]')]);
    await citizen.goto(`${env.server.url}/demande`);
    await citizen.selectOption('#category', category.slug);
    await citizen.fill('#subject', 'Passeport perdu pendant le marché');
    await citizen.fill('#description',
      'Bonjour, j’ai perdu mon passeport samedi au marché de la place centrale. ' +
      'Que dois-je faire pour le déclarer et en demander un nouveau ?');
    await citizen.fill('#name', 'Dominique Bernard');
    await citizen.fill('#email', 'dominique@example.org');
    await citizen.check('#consent');
    await Promise.all([citizen.waitForSelector('.reference'),
      citizen.click('form.request-form button[type=submit]')]);
    const reference = (await citizen.locator('.reference').textContent()).trim();
    assert.match(reference, /^GU-\d{4}-\d+$/);
    const follow = await citizen.locator('a.button[href^="/suivi/"]').getAttribute('href');

    const page = await newPage(env.browser);
    try {
      // Sign in through the page.
      await page.goto(`${env.server.url}/agent/connexion`);
      await page.fill('#email', agent.email);
      await page.fill('#password', agent.password);
      await Promise.all([page.waitForURL(/\/agent\?/), page.click('form button[type=submit]')]);
      // Newest first: the citizen's request heads the team's queue and the unassigned one.
      assert.equal(await page.locator('tr[data-row] code').first().textContent(), reference);
      await checkAccessibility(page);
      await screenshot(page, 'agent-1-queue');
      await page.click('.queues a[href*="queue=unassigned"]');
      await page.waitForURL(/queue=unassigned/);
      assert.equal(await page.locator('tr[data-row] code').first().textContent(), reference);

      // Filters: the words of the subject, kept by the tabs.
      await page.fill('#filter-q', 'passeport marché');
      await Promise.all([page.waitForURL(/q=passeport/), page.click('.queue-filters button')]);
      assert.equal(await page.locator('tr[data-row]').count(), 1);
      assert.match(await page.locator('.queues a[href*="queue=team"]').getAttribute('href'),
        /q=passeport/);
      await checkAccessibility(page);
      await screenshot(page, 'agent-2-filtered');

      // Back to the whole team queue; j/k move, Enter opens. Keys typed in a field do nothing.
      await page.goto(`${env.server.url}/agent?queue=team`);
      await page.focus('#filter-q');
      await page.keyboard.press('j');
      assert.equal((await focused(page)).id, 'filter-q');
      assert.equal(await page.inputValue('#filter-q'), 'j');
      await page.fill('#filter-q', '');
      await page.evaluate(() => document.activeElement.blur());
      await page.keyboard.press('j');
      assert.equal((await focused(page)).text, reference);
      await page.keyboard.press('j');
      assert.notEqual((await focused(page)).text, reference);
      assert.equal(await page.locator('tr.current').count(), 1);
      await page.keyboard.press('k');
      assert.equal((await focused(page)).text, reference);
      await screenshot(page, 'agent-3-keyboard');
      // "?" opens the list of shortcuts (also a <details> anyone can open).
      await page.keyboard.press('?');
      assert.equal(await page.locator('details#shortcuts[open]').count(), 1);
      await page.keyboard.press('Escape');
      await page.keyboard.press('?');
      assert.equal(await page.locator('details#shortcuts[open]').count(), 0);
      await page.keyboard.press('k');
      assert.equal((await focused(page)).text, reference);
      await Promise.all([page.waitForURL(/\/agent\/demandes\/\d+/), page.keyboard.press('Enter')]);
      assert.match(await page.locator('h1').textContent(), new RegExp(reference));

      // The request's page: the AI's language suggestion, the side panel.
      assert.equal(await page.locator('.ai-decisions > li').count(), 1);
      await checkAccessibility(page);
      await screenshot(page, 'agent-4-request');
      const accept = page.locator('.ai-review button[value=accepted]');
      if (await accept.count()) {
        await Promise.all([page.waitForURL(/done=ai/), accept.click()]);
      } else {  // the guess abstained: the agent says it is French
        await page.selectOption('.ai-review select', 'fr');
        await Promise.all([page.waitForURL(/done=ai/),
          page.click('.ai-review button[value=corrected]')]);
      }
      assert.match(await page.locator('.notice').textContent(), /Avis enregistré/);
      assert.equal(await page.locator('.ai-review').count(), 0);
      assert.equal(await page.locator('.facts dd[lang=fr]').count(), 1);  // the language applied

      // "r" goes to the reply; a suggested article goes into it with its button.
      await page.evaluate(() => document.activeElement?.blur());
      await page.keyboard.press('r');
      assert.equal((await focused(page)).id, 'reply-body');
      const insert = page.locator('button.insert-link').first();
      if (await insert.count()) {
        assert.equal(await insert.isVisible(), true);
        await insert.click();
        assert.match(await page.inputValue('#reply-body'), /\/kb\/articles\/\d+/);
      }
      await page.focus('#reply-body');
      await page.keyboard.type('Bonjour, déclarez la perte en mairie, puis prenez rendez-vous.');
      await Promise.all([page.waitForURL(/done=message/), page.click('form.reply button[type=submit]')]);
      assert.equal(await page.locator('.message.from-desk .message-body',
        { hasText: 'déclarez la perte en mairie' }).count(), 1);
      await checkAccessibility(page);
      await screenshot(page, 'agent-5-replied');

      // Bulk: tick it in the queue and assign it to oneself; one line says it changed.
      await page.goto(`${env.server.url}/agent?queue=unassigned`);
      const row = page.locator('tr[data-row]', { hasText: reference });
      await row.locator('input[type=checkbox]').check();
      await Promise.all([page.waitForURL(/\/agent\/lot/),
        page.click('button[name=action][value=assign_me]')]);
      assert.equal(await page.locator('tr.bulk-ok', { hasText: reference }).count(), 1);
      await checkAccessibility(page);
      await screenshot(page, 'agent-6-bulk');
      await page.click('a[href^="/agent?queue=unassigned"]');
      await page.waitForURL(/queue=unassigned/);
      assert.equal(await page.locator('tr[data-row]', { hasText: reference }).count(), 0);
      assertNoProblems(page);

      // The citizen reads the answer on the follow-up page.
      await citizen.goto(`${env.server.url}${follow.replace(/&amp;/g, '&')}`);
      assert.equal(await citizen.locator('.message.from-desk .message-body',
        { hasText: 'déclarez la perte en mairie' }).count(), 1);
      await checkAccessibility(citizen);
      await screenshot(citizen, 'agent-7-citizen-reads');
      assertNoProblems(citizen);
    } finally {
      await page.context().close();
      await citizen.context().close();
    }
  });

  test('a request page with macros, teams and similar requests is accessible in English', async () => {
    const page = await newPage(env.browser, { locale: 'en-GB' });
    try {
      const lead = env.server.login('lead');
      await page.goto(`${env.server.url}/agent/connexion?lang=en`);
      await page.fill('#email', lead.email);
      await page.fill('#password', lead.password);
      await Promise.all([page.waitForURL(/\/agent\?/), page.click('form button[type=submit]')]);
      await page.goto(`${env.server.url}/agent?lang=en&queue=team`);
      await Promise.all([page.waitForURL(/\/agent\/demandes\//),
        page.locator('tr[data-row] a[data-open]').first().click()]);
      assert.equal(await page.locator('form.assignment select#team').count(), 1);
      assert.equal(await page.locator('aside.request-side h2').count(), 2);
      await page.locator('details#shortcuts summary').click();  // without the keyboard
      assert.equal(await page.locator('details#shortcuts[open]').count(), 1);
      await checkAccessibility(page);
      await screenshot(page, 'agent-8-request-en');
      // A second page of a queue, when there is one.
      await page.goto(`${env.server.url}/agent?lang=en&queue=team&status=closed`);
      await checkAccessibility(page);
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  });
});
