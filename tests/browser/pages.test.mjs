// Every web page in a real browser: status, <html lang>, heading, no CSP violation or console
// error, WCAG 2.1 A/AA (axe-core: no serious or critical violation), every focusable element
// reachable by Tab with a visible focus indicator, and a screenshot in the artifacts folder.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  serverAndBrowser,
  assertNoProblems, checkAccessibility, expectLang, loginAs, newPage, screenshot,
  tabThrough,
} from './lib.mjs';

// A page is one entry here:
//   name     the test's and the screenshot's name
//   path     a string, or a function of the server (s.articles.GT0001.id: a fixture article's
//            stored id; s.url; s.logins) for what is known only once the server runs
//   lang     the expected <html lang> ("fr" also accepts "fr-FR")
// and, when needed:
//   status   the expected HTTP status (200)
//   heading  text or RegExp the page's <h1> shows
//   as       a demo role ('agent', 'lead', 'admin', 'citizen' …) to log in as first
//   allowConsole  console errors the page is expected to log (see assertNoProblems)
//   axe      options of checkAccessibility, e.g. { disableRules: ['…'] } (say why)
//   keyboard false to skip the Tab walk (say why)
export const pages = [
  { name: 'home', lang: 'fr', path: '/', heading: 'Comment pouvons-nous vous aider ?' },
  { name: 'home-en', lang: 'en', path: '/?lang=en', heading: 'How can we help you?' },
  { name: 'search', lang: 'fr', path: '/?q=passeport', heading: 'Résultats pour « passeport »' },
  { name: 'request-form', lang: 'fr', path: '/demande', heading: 'Faire une demande' },
  { name: 'request-form-en', lang: 'en', path: '/demande?lang=en', heading: 'Make a request' },
  { name: 'follow', lang: 'fr', path: '/suivi', heading: 'Suivre une demande' },
  { name: 'schemes', lang: 'fr', path: '/aides', heading: 'Aides et tarifs : suis-je éligible ?' },
  {
    name: 'scheme-form-en', lang: 'en', path: '/aides/cantine?lang=en',
    heading: 'School canteen price (example)',
  },
  {
    name: 'follow-not-found', lang: 'fr', path: '/suivi?reference=GU-2026-999999&secret=x',
    status: 404, heading: 'Suivre une demande',
  },
  { name: 'page-not-found', lang: 'fr', path: '/nulle-part', status: 404, heading: 'Page introuvable' },
  { name: 'agent-login', lang: 'fr', path: '/agent/connexion', heading: 'Connexion des agents' },
  { name: 'sign-in', lang: 'fr', path: '/connexion', heading: 'Se connecter' },
  { name: 'my-requests', lang: 'fr', path: '/mes-demandes', as: 'citizen', heading: 'Mes demandes' },
  { name: 'my-requests-en', lang: 'en', path: '/mes-demandes?lang=en', as: 'citizen', heading: 'My requests' },
  { name: 'agent-queues', lang: 'fr', path: '/agent', as: 'agent', heading: 'Files de demandes' },
  { name: 'agent-request', lang: 'fr', path: '/agent/demandes/1', as: 'admin', heading: /^Demande GU-/ },
  {
    name: 'agent-queues-unassigned-en', lang: 'en', path: '/agent?queue=unassigned&lang=en',
    as: 'lead', heading: 'Request queues',
  },
  {
    name: 'kb-article', lang: 'fr', path: (s) => `/kb/articles/${s.articles.GT0001.id}`,
    heading: 'Carte d\'identité : demande et renouvellement',
  },
  {
    name: 'kb-article-not-found', lang: 'fr', path: '/kb/articles/999999', status: 404,
    heading: 'Article introuvable',
  },
];

const env = serverAndBrowser();

describe('pages', () => {
  for (const p of pages) {
    test(p.name, async () => {
      const page = await newPage(env.browser);
      try {
        if (p.as) await loginAs(page, env.server, p.as);
        const target = typeof p.path === 'function' ? p.path(env.server) : p.path;
        // A browser's navigation sends Accept: text/html, which is what picks a page over JSON.
        const response = await page.goto(env.server.url + target, { waitUntil: 'load' });
        await screenshot(page, p.name);  // first, so a failing page is on record too
        assert.equal(response.status(), p.status ?? 200, `${target}: HTTP status`);
        assert.match(response.headers()['content-type'], /^text\/html/);
        await expectLang(page, p.lang);
        if (p.heading) {
          const h1 = (await page.locator('h1').first().textContent())?.trim();
          if (p.heading instanceof RegExp) assert.match(h1, p.heading);
          else assert.equal(h1, p.heading);
          assert.ok((await page.title()).includes(h1), `<title> names the page: ${await page.title()}`);
        }
        await checkAccessibility(page, p.axe);
        if (p.keyboard !== false) {
          const focused = await tabThrough(page);
          const hidden = focused.filter((f) => !f.focusVisible);
          assert.deepEqual(hidden, [], 'elements reached by Tab without a visible focus indicator');
        }
        // Chromium logs a document's own error status as a console error: expected here.
        const ownStatus = (m) => m.url === page.url() && m.text.includes(`status of ${p.status}`);
        assertNoProblems(page, { allow: [...(p.allowConsole ?? []), ownStatus] });
      } finally {
        await page.context().close();
      }
    });
  }
});

describe('the article page', () => {
  test('shows the fixture article\'s parts and links', async () => {
    const page = await newPage(env.browser);
    const a = env.server.articles.GT0001;
    await page.goto(`${env.server.url}/kb/articles/${a.id}`);
    await expectLang(page, 'fr');
    assert.equal(await page.title(), `${a.title} — Guichet`);
    for (const section of ['Où s’adresser ?', 'Services en ligne'])
      assert.equal(await page.getByRole('heading', { level: 2, name: section }).count(), 1, section);
    // Tab reaches the skip link first, then the article's online service and its source, in
    // reading order.
    const hrefs = (await tabThrough(page)).map((f) => f.href);
    assert.equal(hrefs[0], '#content');
    const service = hrefs.indexOf('https://example.org/pre-demande-cni');
    assert.ok(service > 0 && hrefs.indexOf(a.source_url) > service, hrefs.join(' '));
    assertNoProblems(page);
    await page.context().close();
  });
});

// The harness itself: its checks fail when they should, on a real page with its real CSP.
describe('the harness', () => {
  test('axe reports an unlabeled input and a missing lang', async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.server.url}/kb/articles/${env.server.articles.GT0002.id}`);
    await page.evaluate(() => {
      document.documentElement.removeAttribute('lang');
      document.querySelector('main').append(document.createElement('input'));
    });
    await assert.rejects(checkAccessibility(page), (e) => {
      assert.match(e.message, /html-has-lang \(serious\)/);
      assert.match(e.message, /label \(critical\)[\s\S]*- input/);
      return true;
    });
    await assert.rejects(expectLang(page, 'fr'), /no lang attribute/);
    await page.context().close();
  });

  test('loginAs gives the page\'s context a session', async () => {
    const page = await newPage(env.browser);
    await loginAs(page, env.server, 'agent');
    const r = await page.goto(`${env.server.url}/api/v1/session`);
    assert.equal(r.status(), 200);
    assert.equal((await r.json()).user.email, env.server.login('agent').email);
    await page.context().close();
  });

  test('tabThrough sees a link whose focus indicator is removed', async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.server.url}/kb/articles/${env.server.articles.GT0001.id}`);
    // Through the CSSOM: a <style> element would be blocked by the page's CSP.
    await page.evaluate(() => {
      const link = document.querySelector('article a');
      link.style.outline = 'none';
      link.style.boxShadow = 'none';
      link.id = 'no-indicator';
    });
    const focused = await tabThrough(page);
    assert.deepEqual(focused.filter((f) => !f.focusVisible).map((f) => f.id), ['no-indicator']);
    await page.context().close();
  });

  test('an inline script is blocked by the page\'s CSP and recorded', async () => {
    const page = await newPage(env.browser);
    await page.goto(`${env.server.url}/kb/articles/${env.server.articles.GT0002.id}`);
    await page.evaluate(() => {
      const s = document.createElement('script');
      s.textContent = 'window.inlineRan = true';
      document.head.append(s);
    });
    // The violation event is asynchronous.
    for (let i = 0; i < 20 && page.problems.csp.length === 0; i++) await page.waitForTimeout(50);
    assert.equal(await page.evaluate(() => window.inlineRan), undefined);
    assert.equal(page.problems.csp[0]?.directive, 'script-src-elem');
    assert.throws(() => assertNoProblems(page), /CSP violations/);
    await page.context().close();
  });
});
