// The admin pages in a real browser: the demo's admin signs in through the staff sign-in page,
// every admin page passes axe (no serious or critical violation) with a screenshot, and the
// admin changes an SLA policy's first-reply target through its form — then the policy's page
// and the API show the new value.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser,
  assertNoProblems, checkAccessibility, expectLang, newPage, screenshot,
} from './lib.mjs';

const env = serverAndBrowser();

const adminPages = [
  { name: 'admin-index', path: '/admin', heading: 'Administration' },
  { name: 'admin-users', path: '/admin/utilisateurs', heading: 'Utilisateurs' },
  { name: 'admin-teams', path: '/admin/equipes', heading: 'Équipes' },
  { name: 'admin-categories', path: '/admin/categories', heading: 'Catégories' },
  { name: 'admin-sla', path: '/admin/sla', heading: 'Délais de traitement (SLA)' },
  { name: 'admin-automations', path: '/admin/automatisations', heading: 'Automatisations' },
  { name: 'admin-ai', path: '/admin/ia', heading: 'Fonctions d’IA' },
  { name: 'admin-ai-en', path: '/admin/ia?lang=en', heading: 'AI features', lang: 'en' },
];

// Signs the demo admin in through the sign-in page, as a person would.
async function signInAsAdmin(page) {
  const { email, password } = env.server.login('admin');
  await page.goto(`${env.server.url}/agent/connexion`);
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await Promise.all([page.waitForURL(/\/agent(\?|$)/), page.locator('form.login button[type=submit]').click()]);
}

// The page is in `lang`, shows `heading`, passes axe and reported no problem.
async function checkPage(page, name, { heading, lang = 'fr', status = 200 } = {}) {
  await screenshot(page, name);
  await expectLang(page, lang);
  if (heading) assert.equal((await page.locator('h1').first().textContent()).trim(), heading);
  await checkAccessibility(page);
  const ownStatus = (m) => m.url === page.url() && m.text.includes(`status of ${status}`);
  assertNoProblems(page, { allow: [ownStatus] });
  // The next check covers what happens from here on.
  for (const list of Object.values(page.problems)) list.length = 0;
}

describe('admin', () => {
  test('every admin page is accessible, the policy and automation pages and a form with errors too', async () => {
    const page = await newPage(env.browser);
    try {
      await signInAsAdmin(page);
      await page.getByRole('link', { name: 'Administration' }).first().click();
      await page.waitForURL(/\/admin\?lang=fr/);
      for (const p of adminPages) {
        const response = await page.goto(env.server.url + p.path, { waitUntil: 'load' });
        assert.equal(response.status(), 200, p.path);
        await checkPage(page, p.name, p);
      }
      // A policy's page and a user's page, reached from the lists.
      await page.goto(`${env.server.url}/admin/sla`);
      await Promise.all([page.waitForURL(/\/admin\/sla\/\d+/),
        page.locator('table.admin-table tbody a').first().click()]);
      await checkPage(page, 'admin-sla-policy');
      await page.goto(`${env.server.url}/admin/utilisateurs`);
      await Promise.all([page.waitForURL(/\/admin\/utilisateurs\/\d+/),
        page.locator('table.admin-table tbody a').nth(2).click()]);
      await checkPage(page, 'admin-user');
      // A rule sent back with errors: the summary and the fields stay accessible; corrected,
      // it is created, and its own page is checked too.
      await page.goto(`${env.server.url}/admin/automatisations`);
      await page.locator('#automation-name').fill('Règle du test');
      await page.locator('#automation-conditions').fill('[{"field": "priority", "op": "bigger"}]');
      await page.locator('#automation-actions').fill('[{"type": "add_tags", "tags": ["test"]}]');
      await page.locator('#automation-active').uncheck();
      await Promise.all([page.waitForLoadState('load'),
        page.locator('form.admin-form button[type=submit]').click()]);
      assert.match(await page.locator('#automation-conditions-error').textContent(), /conditions\[0\]/);
      assert.equal(await page.locator('#automation-name').inputValue(), 'Règle du test');
      await checkPage(page, 'admin-automations-errors', { status: 422 });
      await page.locator('#automation-conditions').fill('[{"field": "priority", "op": "is", "value": "urgent"}]');
      await Promise.all([page.waitForURL(/done=created/),
        page.locator('form.admin-form button[type=submit]').click()]);
      await Promise.all([page.waitForURL(/\/admin\/automatisations\/\d+/),
        page.getByRole('link', { name: 'Règle du test' }).click()]);
      await checkPage(page, 'admin-automation', { heading: 'Règle Règle du test' });
    } finally {
      await page.context().close();
    }
  });

  test('an admin changes an SLA policy\'s first-reply target through its form', async () => {
    const page = await newPage(env.browser);
    try {
      await signInAsAdmin(page);
      await page.goto(`${env.server.url}/admin/sla`);
      const link = page.locator('table.admin-table tbody a').first();
      const name = (await link.textContent()).trim();
      await Promise.all([page.waitForURL(/\/admin\/sla\/\d+/), link.click()]);
      const id = Number(/\/admin\/sla\/(\d+)/.exec(page.url())[1]);
      const before = await (await page.context().request.get(`${env.server.url}/api/v1/sla/policies/${id}`)).json();
      const target = before.first_reply_minutes === 45 ? 50 : 45;

      const field = page.getByLabel('Première réponse (minutes)');
      await field.fill(String(target));
      await Promise.all([page.waitForURL(/done=saved/),
        page.locator('form.admin-form button[type=submit]').click()]);
      assert.equal((await page.locator('p.notice').textContent()).trim(), 'Modification enregistrée.');
      assert.equal(await page.getByLabel('Première réponse (minutes)').inputValue(), String(target));
      await checkPage(page, 'admin-sla-policy-saved', { heading: `Politique de délais ${name}` });

      // The list and the API show the new value, on the next version.
      await page.goto(`${env.server.url}/admin/sla`);
      const row = page.locator('table.admin-table tbody tr', { has: page.locator(`a[href^="/admin/sla/${id}?"]`) });
      assert.match(await row.textContent(), new RegExp(`${target} min`));
      const list = await (await page.context().request.get(`${env.server.url}/api/v1/sla/policies`)).json();
      const after = list.items.find((p) => p.id === id);
      assert.equal(after.first_reply_minutes, target);
      assert.equal(after.version, before.version + 1);
      assert.equal(after.resolution_minutes, before.resolution_minutes);
      assert.equal(after.business_hours, before.business_hours);
    } finally {
      await page.context().close();
    }
  });
});
