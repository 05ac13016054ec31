// The citizen's whole path in a real browser, by keyboard only: search from the home page, make
// a request (suggested articles appear while typing), keep the reference, follow the private
// link, read the desk's reply, answer; a photo attached on the way. A signed-in citizen finds
// their requests. Hostile text in the subject and description renders as
// text on every page (no dialog ever opens), and the pages stay accessible.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser,
  assertNoProblems, checkAccessibility, loginAs, newPage, screenshot,
} from './lib.mjs';

const env = serverAndBrowser();

// A 1×1 PNG, byte for byte.
const tinyPng = () => Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==',
  'base64');

// Presses Tab until the element matching `selector` has the focus (keyboard only, no clicks).
async function tabTo(page, selector, max = 60) {
  for (let i = 0; i < max; i++) {
    await page.keyboard.press('Tab');
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`Tab never reached ${selector}`);
}

// The search index follows the database about once a second after start.
async function waitForSearch(text) {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${env.server.url}/api/v1/kb/search?q=${encodeURIComponent(text)}`);
    if (r.ok && (await r.json()).items.length > 0) return;
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`the search never found ${text}`);
}

describe('citizen', () => {
  test('searches, makes a request, follows it and answers the desk, by keyboard only', async () => {
    await waitForSearch('passeport');
    const page = await newPage(env.browser);
    const dialogs = [];
    page.on('dialog', async (d) => { dialogs.push(d.message()); await d.dismiss(); });
    try {
      // Search from the home page.
      await page.goto(`${env.server.url}/`);
      await tabTo(page, '#q');
      await page.keyboard.type('passeport perdu');
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      await page.waitForURL(/q=passeport/);
      assert.match(await page.locator('h1').textContent(), /passeport perdu/);
      assert.ok(await page.locator('ol.hits a', { hasText: 'Passeport' }).count() >= 1);
      await screenshot(page, 'citizen-1-search');

      // "Make a request" from the results, then the form.
      await tabTo(page, 'a.button[href^="/demande"]');
      await Promise.all([page.waitForURL(/\/demande/), page.keyboard.press('Enter')]);
      await tabTo(page, '#subject');
      await page.keyboard.type('<script>alert(1)</script> passeport');
      await tabTo(page, '#description');
      await page.keyboard.type('"><img src=x onerror=alert(1)> Mon passeport a été perdu hier.');
      // Suggested articles appear under the description while typing (htmx).
      const suggestion = page.locator('#suggestions a[data-article]').first();
      await suggestion.waitFor({ timeout: 10000 });
      assert.match(await suggestion.textContent(), /Passeport/);
      await screenshot(page, 'citizen-2-form-suggestions');
      await tabTo(page, '#name');
      await page.keyboard.type('Camille Martin');
      await tabTo(page, '#email');
      await page.keyboard.type('camille@example.org');
      // A photo attached (choosing a file is the system's dialog: set directly).
      await page.setInputFiles('#attachments', {
        name: 'photo-passeport.png', mimeType: 'image/png', buffer: tinyPng(),
      });
      await tabTo(page, '#consent');
      await page.keyboard.press('Space');
      await tabTo(page, 'form.request-form button[type=submit]');
      await Promise.all([page.waitForLoadState('load'), page.keyboard.press('Enter')]);
      await page.waitForSelector('.reference');
      const reference = (await page.locator('.reference').textContent()).trim();
      assert.match(reference, /^GU-\d{4}-\d+$/);
      await checkAccessibility(page);
      await screenshot(page, 'citizen-3-sent');

      // The desk answers (an admin, through the API).
      const desk = await newPage(env.browser);
      const session = await loginAs(desk, env.server, 'admin');
      const list = await desk.request.get(`${env.server.url}/api/v1/requests?channel=web&limit=50`);
      const made = (await list.json()).items.find((r) => r.reference === reference);
      assert.ok(made, `request ${reference} in the desk's list`);
      const reply = await desk.request.post(`${env.server.url}/api/v1/requests/${made.id}/messages`, {
        headers: { 'X-CSRF-Token': session.csrf_token },
        data: { body: 'Bonjour, déclarez la perte en mairie <b>avant</b> la nouvelle demande.' },
      });
      assert.equal(reply.status(), 201, await reply.text());
      await desk.context().close();

      // The private link shows the thread; the citizen answers.
      await tabTo(page, 'a.button[href^="/suivi/"]');
      await Promise.all([page.waitForURL(/\/suivi\//), page.keyboard.press('Enter')]);
      assert.match(await page.locator('h1').textContent(), new RegExp(reference));
      const desks = page.locator('.message.from-desk .message-body');
      assert.equal(await desks.count(), 1);
      assert.equal((await desks.textContent()).trim(),
        'Bonjour, déclarez la perte en mairie <b>avant</b> la nouvelle demande.');
      assert.equal(await page.locator('dd', { hasText: '<script>alert(1)</script>' }).count(), 1);
      // The photo is listed and downloads as it was sent.
      const file = page.locator('ul.files a', { hasText: 'photo-passeport.png' });
      assert.equal(await file.count(), 1);
      const download = await page.request.get(new URL(await file.getAttribute('href'), page.url()).href);
      assert.equal(download.status(), 200);
      assert.deepEqual(Buffer.from(await download.body()), tinyPng());
      await tabTo(page, '#reply-body');
      await page.keyboard.type('Merci, c’est fait.');
      await tabTo(page, 'form.reply button[type=submit]');
      await Promise.all([page.waitForURL(/sent=1/), page.keyboard.press('Enter')]);
      assert.equal(await page.locator('.message.from-citizen .message-body', { hasText: 'Merci, c’est fait.' }).count(), 1);
      await checkAccessibility(page);
      await screenshot(page, 'citizen-4-thread');
      assert.deepEqual(dialogs, [], 'no script of the citizen\'s text ran');
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  });

  test('a signed-in citizen finds their requests and opens one', async () => {
    const page = await newPage(env.browser);
    try {
      const { email, password } = env.server.login('citizen');
      await page.goto(`${env.server.url}/`);
      await Promise.all([page.waitForURL(/\/connexion/), page.locator('nav a', { hasText: 'Se connecter' }).click()]);
      await page.fill('#email', email);
      await page.fill('#password', password);
      await Promise.all([page.waitForURL(/\/mes-demandes/), page.locator('form.login button').click()]);
      assert.equal((await page.locator('h1').textContent()).trim(), 'Mes demandes');
      const rows = page.locator('table.queue tbody tr');
      assert.ok(await rows.count() >= 1, 'the demo citizen has requests');
      await checkAccessibility(page);
      await screenshot(page, 'citizen-account-1-requests');
      const first = rows.first().locator('a');
      const reference = (await first.textContent()).trim();
      await Promise.all([page.waitForURL(/\/mes-demandes\/\d+/), first.click()]);
      assert.match(await page.locator('h1').textContent(), new RegExp(reference));
      await checkAccessibility(page);
      await screenshot(page, 'citizen-account-2-request');
      assertNoProblems(page);
    } finally {
      await page.context().close();
    }
  });

  test('an invalid form comes back with its errors, accessible', async () => {
    const page = await newPage(env.browser);
    try {
      await page.goto(`${env.server.url}/demande?lang=en`);
      await page.locator('form.request-form button[type=submit]').press('Enter');
      await page.waitForSelector('.error-summary');
      assert.equal(await page.locator('.error-summary li').count(), 4);  // subject, text, contact, consent
      assert.equal(await page.locator('#subject[aria-invalid=true]').count(), 1);
      await checkAccessibility(page);
      await screenshot(page, 'citizen-form-errors');
      // Chromium logs the page's own 422 as a console error: expected here.
      assertNoProblems(page, { allow: [(m) => m.text.includes('status of 422')] });
    } finally {
      await page.context().close();
    }
  });
});
