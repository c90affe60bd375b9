import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, CDPSession, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGS } from '../../src/pages/catalogs';
import type { Language } from '../../src/pages/languages';
import type { Viewport } from './browser';
import { VIEWPORTS, axeViolations, chromiumAvailable, launchChromium, screenshotDir } from './browser';
import type { PagesServer } from './pages-server';
import { RETURN_ORIGIN, startPagesServer } from './pages-server';

const LABELS: Record<Language, { email: string; password: string }> = {
  en: { email: 'Email', password: 'Password' },
  fr: { email: 'Adresse e-mail', password: 'Mot de passe' },
};

/** The localStorage key that makes the test's browser one without conditional mediation. */
const NO_AUTOFILL = 'test:no-passkey-autofill';

/** What the functions run in the page use of it: this program is not typed for a browser. */
interface BrowserGlobals {
  localStorage: { getItem(key: string): string | null; setItem(key: string, value: string): void; removeItem(key: string): void };
}

const available = chromiumAvailable();
let server: PagesServer;
let browser: Browser;
const shots = screenshotDir();
/** What each journey's ceremonies were, as the browser ran them: written beside the screenshots. */
const ceremonies: Record<string, unknown> = {};

beforeAll(async () => {
  if (!available) return;
  // WebAuthn needs a secure context and an RP ID that is a name: http://localhost is both
  // (Chromium sends localhost to the loopback, where the server listens on 127.0.0.1).
  [server, browser] = await Promise.all([startPagesServer({ EMAIL_VERIFICATION: 'off' }, { host: 'localhost' }), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (available) writeFileSync(join(shots, 'passkey-ceremonies.json'), `${JSON.stringify(ceremonies, null, 2)}\n`);
  expect(server?.errors ?? []).toEqual([]);
});

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  userHandle: string;
  signCount: number;
}

/** A platform authenticator with a PIN or biometric, which answers at once: the DevTools protocol's virtual authenticator. */
async function virtualAuthenticator(page: Page): Promise<{ cdp: CDPSession; credentials(): Promise<VirtualCredential[]> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { cdp, credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials as VirtualCredential[] };
}

describe.skipIf(!available)('passkeys on the pages, in Chromium with a virtual authenticator', () => {
  const journeys: [Viewport, Language][] = [
    ['desktop', 'en'],
    ['phone', 'fr'],
  ];
  for (const [viewport, lang] of journeys) {
    it(`sign up, sign in with the password, add a passkey, rename it, sign out, sign in with it: ${viewport}, ${lang}`, async () => {
      const t = CATALOGS[lang];
      const labels = LABELS[lang];
      const name = `${viewport}-${lang}`;
      const email = `passkey-${name}-${Date.now()}@example.com`;
      const password = 'a-Passw0rd-of-mine';
      const report: Record<string, unknown> = {};
      const steps: Record<string, number> = {};
      ceremonies[name] = report;
      let mark = performance.now();
      const step = (what: string) => {
        const now = performance.now();
        steps[what] = Math.round(now - mark);
        mark = now;
      };

      const context = await browser.newContext({ ...VIEWPORTS[viewport], locale: lang === 'fr' ? 'fr-FR' : 'en-US' });
      context.setDefaultTimeout(5000);
      const elsewhere: string[] = [];
      const consoleErrors: string[] = [];
      const api: { path: string; status: number; body: unknown }[] = [];
      // The app the phone journey returns to: answered here, it is no real host.
      await context.route(`${RETURN_ORIGIN}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>app</title><h1>Back in the app</h1>' }));
      context.on('request', (request) => {
        const url = request.url();
        if (!url.startsWith(server.url) && !url.startsWith('data:') && !url.startsWith(`${RETURN_ORIGIN}/`)) elsewhere.push(url);
      });
      context.on('response', async (response) => {
        const path = new URL(response.url()).pathname;
        if (!path.startsWith('/profile/passkeys') && !path.startsWith('/sessions/passkey')) return;
        api.push({ path: `${response.request().method()} ${path}`, status: response.status(), body: await response.json().catch(() => null) });
      });
      const page = await context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') consoleErrors.push(message.text());
      });
      const authenticator = await virtualAuthenticator(page);
      await page.addInitScript((flag) => {
        const credential = (globalThis as unknown as { PublicKeyCredential?: { isConditionalMediationAvailable?: () => Promise<boolean> } }).PublicKeyCredential;
        if (credential && (globalThis as unknown as BrowserGlobals).localStorage.getItem(flag)) credential.isConditionalMediationAvailable = () => Promise.resolve(false);
      }, NO_AUTOFILL);
      step('browser context and virtual authenticator');

      // Sign up (signed in at once: no address verification here), sign out, sign in with the password.
      await page.goto(`${server.url}/signup?lang=${lang}`);
      await page.getByLabel(labels.email, { exact: true }).fill(email);
      await page.getByLabel(labels.password, { exact: true }).fill(password);
      await Promise.all([page.waitForURL('**/account'), page.getByRole('button', { name: t.buttons.createAccount }).click()]);
      await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: t.buttons.signOut }).first().click()]);
      await page.getByLabel(labels.email, { exact: true }).fill(email);
      await page.getByLabel(labels.password, { exact: true }).fill(password);
      await Promise.all([page.waitForURL('**/account'), page.getByRole('button', { name: t.buttons.signIn, exact: true }).click()]);
      expect(await page.getByText(t.passkeys.none).isVisible()).toBe(true);
      step('sign up, sign out, sign in with the password');

      // Add a passkey: the session is fresh, so no password is asked (the step-up is the login).
      expect(await page.locator('#passkey-add-password').isHidden()).toBe(true);
      await page.getByLabel(t.passkeys.name).fill('Laptop');
      await Promise.all([page.waitForURL('**/account?done=passkey_added'), page.getByRole('button', { name: t.passkeys.add }).click()]);
      expect(await page.getByRole('status').first().textContent()).toBe(t.notices.passkey_added);
      expect(await page.locator('li.passkey').count()).toBe(1);
      expect(await page.locator('li.passkey .passkey-name').textContent()).toBe('Laptop');
      expect(await page.locator('li.passkey .meta').nth(1).textContent()).toBe(t.passkeys.neverUsed);
      const [made] = await authenticator.credentials();
      expect(made?.isResidentCredential).toBe(true);
      step('add a passkey');

      // Rename it: a plain form inside the row's disclosure.
      await page.locator('li.passkey summary').click();
      await page.locator('li.passkey').getByLabel(t.passkeys.newName).fill('Work laptop');
      await Promise.all([page.waitForURL('**/account?done=passkey_renamed'), page.locator('li.passkey').getByRole('button', { name: t.passkeys.rename }).click()]);
      expect(await page.locator('li.passkey .passkey-name').textContent()).toBe('Work laptop');
      const violations = await axeViolations(page);
      expect(violations, JSON.stringify(violations, null, 2)).toEqual([]);
      step('rename it');

      // The button: in a browser without passkeys in its autofill (conditional mediation), which
      // the test makes of this one by a flag it sets (otherwise the autofill signs in first).
      await page.evaluate((flag) => (globalThis as unknown as BrowserGlobals).localStorage.setItem(flag, '1'), NO_AUTOFILL);
      await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: t.buttons.signOut }).first().click()]);
      // The phone comes with a return_to: honoured as a password sign-in's is.
      const returnTo = `${RETURN_ORIGIN}/after`;
      if (viewport === 'phone') await page.goto(`${server.url}/login?return_to=${encodeURIComponent(returnTo)}`);
      expect(await page.getByLabel(labels.email, { exact: true }).getAttribute('autocomplete')).toBe('username webauthn');
      const loginViolations = await axeViolations(page);
      expect(loginViolations, JSON.stringify(loginViolations, null, 2)).toEqual([]);
      await page.screenshot({ path: join(shots, `passkeys-${name}-login.png`), fullPage: true });
      step('sign out');
      await Promise.all([page.waitForURL(viewport === 'phone' ? returnTo : '**/account'), page.getByRole('button', { name: t.passkeys.signIn }).click()]);
      step('sign in with the passkey (button)');
      if (viewport === 'phone') await page.goto(`${server.url}/account`);
      expect(new URL(page.url()).pathname).toBe('/account');
      expect(await page.locator('.email').textContent()).toBe(email);
      expect(await page.locator('li.passkey .meta').nth(1).textContent()).toMatch(new RegExp(`^${t.passkeys.lastUsed} `));
      const [used] = await authenticator.credentials();
      expect(used?.credentialId).toBe(made?.credentialId);
      expect(used!.signCount).toBeGreaterThan(made!.signCount);

      // The autofill: opening /login is enough; the virtual authenticator answers the
      // conditional request with its one passkey, as a person picks it in the email field's list.
      await page.evaluate((flag) => (globalThis as unknown as BrowserGlobals).localStorage.removeItem(flag), NO_AUTOFILL);
      await Promise.all([page.waitForURL('**/login'), page.getByRole('button', { name: t.buttons.signOut }).first().click()]);
      await page.waitForURL('**/account');
      step('sign out, sign in with the passkey (autofill)');
      expect(await page.locator('.email').textContent()).toBe(email);
      const [again] = await authenticator.credentials();
      expect(again!.signCount).toBeGreaterThan(used!.signCount);
      expect(await page.locator('li.passkey .meta').nth(1).textContent()).toMatch(new RegExp(`^${t.passkeys.lastUsed} `));
      await page.screenshot({ path: join(shots, `passkeys-${name}-account.png`), fullPage: true });

      expect(elsewhere, 'requests to another host').toEqual([]);
      expect(consoleErrors, 'console errors (CSP reports among them)').toEqual([]);

      Object.assign(report, {
        // Never its private key, even a test's.
        credential: { credentialId: again!.credentialId, rpId: again!.rpId, isResidentCredential: again!.isResidentCredential, signCounts: [made!.signCount, used!.signCount, again!.signCount] },
        calls: api,
        stepsMs: steps,
      });
      await context.close();
    }, 30_000);
  }
});

describe.skipIf(!available)('the step-up on the pages, in Chromium', () => {
  let late: PagesServer;
  beforeAll(async () => {
    // Every session is past its window at once: adding and removing ask for the password.
    late = await startPagesServer({ EMAIL_VERIFICATION: 'off', PASSKEY_STEP_UP_SECONDS: '0' }, { host: 'localhost' });
  });
  afterAll(async () => {
    await late?.close();
    expect(late?.errors ?? []).toEqual([]);
  });

  it('asks for the password to add and to remove, and says so when the same passkey is added twice', async () => {
    const t = CATALOGS.en;
    const context = await browser.newContext({ ...VIEWPORTS.desktop, locale: 'en-US' });
    context.setDefaultTimeout(5000);
    const consoleErrors: string[] = [];
    const page = await context.newPage();
    page.on('console', (message) => {
      // The refusals asked for here answer 401 and 403: the browser reports each as a resource that failed.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) consoleErrors.push(message.text());
    });
    await virtualAuthenticator(page);
    await page.goto(`${late.url}/signup`);
    await page.getByLabel('Email', { exact: true }).fill(`step-up-${Date.now()}@example.com`);
    await page.getByLabel('Password', { exact: true }).fill('a-Passw0rd-of-mine');
    await Promise.all([page.waitForURL('**/account'), page.getByRole('button', { name: t.buttons.createAccount }).click()]);

    const add = page.locator('#passkey-add');
    expect(await add.getByLabel(t.fields.password).isVisible()).toBe(true);
    // Without it, the API asks for it; the page says so in its words, the field takes the focus.
    await add.getByRole('button', { name: t.passkeys.add }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(t.errors.step_up_required);
    expect(await add.getByLabel(t.fields.password).evaluate((input) => input === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement)).toBe(true);
    await add.getByLabel(t.fields.password).fill('not-the-password');
    await add.getByRole('button', { name: t.passkeys.add }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(t.errors.wrong_password);
    await add.getByLabel(t.fields.password).fill('a-Passw0rd-of-mine');
    await Promise.all([page.waitForURL('**/account?done=passkey_added'), add.getByRole('button', { name: t.passkeys.add }).click()]);
    expect(await page.locator('li.passkey').count()).toBe(1);

    // The same authenticator again: excluded by the options, refused by the browser, told by the page.
    await page.locator('#passkey-add').getByLabel(t.fields.password).fill('a-Passw0rd-of-mine');
    await page.locator('#passkey-add').getByRole('button', { name: t.passkeys.add }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toBe(t.errors.passkey_exists);

    // Removal, from the row's disclosure, with the password.
    await page.locator('li.passkey summary').click();
    await page.locator('li.passkey').getByLabel(t.fields.password).fill('a-Passw0rd-of-mine');
    await Promise.all([page.waitForURL('**/account?done=passkey_removed'), page.locator('li.passkey').getByRole('button', { name: t.passkeys.remove }).click()]);
    expect(await page.locator('li.passkey').count()).toBe(0);
    expect(await page.getByText(t.passkeys.none).isVisible()).toBe(true);
    expect(consoleErrors).toEqual([]);
    await context.close();
  }, 30_000);
});
