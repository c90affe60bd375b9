import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Secret, TOTP } from 'otpauth';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGS } from '../../src/pages/catalogs';
import type { Language } from '../../src/pages/languages';
import type { AxeViolation, Viewport } from './browser';
import { VIEWPORTS, axeViolations, chromiumAvailable, completeByKeyboard, launchChromium, screenshotDir } from './browser';
import type { PagesServer } from './pages-server';
import { startPagesServer } from './pages-server';

/** The visible labels the pages must show, as a person reads them. */
const LABELS: Record<Language, { email: string; password: string; code: string; current: string; new: string }> = {
  en: { email: 'Email', password: 'Password', code: 'Code', current: 'Current password', new: 'New password' },
  fr: { email: 'Adresse e-mail', password: 'Mot de passe', code: 'Code', current: 'Mot de passe actuel', new: 'Nouveau mot de passe' },
};

const available = chromiumAvailable();
let server: PagesServer;
let browser: Browser;
const shots = screenshotDir();
/** axe-core's findings (every impact) by journey and page, written beside the screenshots. */
const axeReport: Record<string, Record<string, AxeViolation[]>> = {};

beforeAll(async () => {
  if (!available) return;
  [server, browser] = await Promise.all([startPagesServer(), launchChromium()]);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
  if (available) writeFileSync(join(shots, 'axe-results.json'), `${JSON.stringify(axeReport, null, 2)}\n`);
});

function totp(secret: string, at: number): string {
  return new TOTP({ secret: Secret.fromBase32(secret) }).generate({ timestamp: at });
}

/** One person's way through every page, at one viewport and in one language. */
class Journey {
  readonly t;
  readonly labels;
  readonly name: string;
  /** Requests to anything but this server (and data: images): there must be none. */
  readonly elsewhere: string[] = [];
  /** Console errors (CSP reports among them) but a refused page's own status: there must be none. */
  readonly consoleErrors: string[] = [];
  /** Stylesheets and images that did not load: there must be none. */
  readonly failedResources: string[] = [];

  constructor(
    readonly viewport: Viewport,
    readonly lang: Language,
  ) {
    this.t = CATALOGS[lang];
    this.labels = LABELS[lang];
    this.name = `${viewport}-${lang}`;
    axeReport[this.name] = {};
  }

  async context(locale: string): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ ...VIEWPORTS[this.viewport], locale });
    // Every page answers in milliseconds: a wait this long means something is missing.
    context.setDefaultTimeout(5000);
    context.on('request', (request) => {
      if (!request.url().startsWith(server.url) && !request.url().startsWith('data:')) this.elsewhere.push(request.url());
    });
    context.on('response', (response) => {
      if (response.request().resourceType() !== 'document' && response.status() >= 400) this.failedResources.push(`${response.status()} ${response.url()}`);
    });
    const page = await context.newPage();
    page.on('console', (message) => {
      // A page answered 401 (a refused sign-in) is reported as a resource that failed: the status is the point.
      if (message.type() === 'error' && !message.text().startsWith('Failed to load resource')) this.consoleErrors.push(message.text());
    });
    return { context, page };
  }

  /** The page has this heading, passes axe-core (nothing serious or critical) and is photographed. */
  async check(page: Page, name: string, heading: string): Promise<void> {
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe(heading);
    const violations = await axeViolations(page);
    axeReport[this.name]![name] = violations;
    const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
    expect(serious, `${name} (${this.name}): ${JSON.stringify(serious, null, 2)}`).toEqual([]);
    await page.screenshot({ path: join(shots, `${this.name}-${name}.png`), fullPage: true });
  }

  async signIn(page: Page, email: string, password: string): Promise<void> {
    await page.goto(`${server.url}/login`);
    await completeByKeyboard(page, [[this.labels.email, email], [this.labels.password, password]], this.t.buttons.signIn);
  }

  async notice(page: Page): Promise<string> {
    return (await page.getByRole('status').first().textContent()) ?? '';
  }
}

describe.skipIf(!available)('the pages, in Chromium, with the keyboard alone', () => {
  for (const viewport of ['desktop', 'phone'] as const) {
    for (const lang of ['en', 'fr'] as const) {
      it(`sign up, verify, sign in, two-step sign-in, sessions, password change and reset, deletion: ${viewport}, ${lang}`, async () => {
        const journey = new Journey(viewport, lang);
        const { t, labels } = journey;
        const email = `${journey.name}-${Date.now()}@example.com`;
        const [first, second, third] = ['first-Passw0rd', 'second-Passw0rd', 'third-Passw0rd'];
        // English from Accept-Language; French chosen with the switch (?lang=), kept by its cookie.
        const laptop = await journey.context('en-US');
        const a = laptop.page;

        await a.goto(`${server.url}/signup${lang === 'fr' ? '?lang=fr' : ''}`);
        await journey.check(a, 'signup', t.titles.signup);
        await completeByKeyboard(a, [[labels.email, email], [labels.password, first]], t.buttons.createAccount);
        await journey.check(a, 'check-email', t.titles.checkEmail);

        await a.goto(await server.linkFor(email, 'verify'));
        expect(await journey.notice(a)).toBe(t.text.verified(email));
        await journey.check(a, 'verified', t.titles.verify);

        await a.goto(`${server.url}/login`);
        await journey.check(a, 'login', t.titles.login);
        await journey.signIn(a, email, first);
        expect(new URL(a.url()).pathname).toBe('/account');
        await journey.check(a, 'account', t.titles.account);

        // Two-step sign-in: the QR code's key read from the page, the code computed here.
        await completeByKeyboard(a, [], t.buttons.startSecondFactor);
        await journey.check(a, 'enrol', t.titles.enrol);
        const secret = ((await a.locator('.secret').textContent()) ?? '').replace(/\s/g, '');
        await completeByKeyboard(a, [[labels.code, totp(secret, Date.now())]], t.buttons.enableSecondFactor);
        await journey.check(a, 'recovery-codes', t.titles.recoveryCodes);
        const recoveryCodes = await a.locator('.recovery-codes code').allTextContents();
        expect(recoveryCodes).toHaveLength(10);

        await a.goto(`${server.url}/account`);
        await completeByKeyboard(a, [], t.buttons.signOut);
        expect(new URL(a.url()).pathname).toBe('/login');
        await journey.signIn(a, email, first);
        await journey.check(a, 'second-factor', t.titles.secondFactor);
        // The next step's code: the step that enabled the factor cannot be used again.
        await completeByKeyboard(a, [[labels.code, totp(secret, Date.now() + 30_000)]], t.buttons.verifyCode);
        expect(new URL(a.url()).pathname).toBe('/account');

        // A second device (French from Accept-Language in the French journey), with a recovery code.
        const phone = await journey.context(lang === 'fr' ? 'fr-FR' : 'en-US');
        const b = phone.page;
        await journey.signIn(b, email, first);
        await completeByKeyboard(b, [[labels.code, recoveryCodes[0]!]], t.buttons.verifyCode);
        await expect.poll(() => b.locator('li.session').count()).toBe(2);
        await journey.check(b, 'account-two-sessions', t.titles.account);
        await completeByKeyboard(b, [], b.locator('li.session:not(.current) button'));
        expect(await journey.notice(b)).toBe(t.notices.session_ended);
        expect(await b.locator('li.session').count()).toBe(1);
        await a.reload();
        expect(new URL(a.url()).pathname).toBe('/login');

        await completeByKeyboard(b, [[labels.current, first], [labels.new, second]], t.buttons.changePassword);
        expect(await journey.notice(b)).toBe(t.notices.password_changed);

        await completeByKeyboard(b, [], t.buttons.signOut);
        await b.goto(`${server.url}/forgot`);
        await journey.check(b, 'forgot', t.titles.forgot);
        await completeByKeyboard(b, [[labels.email, email]], t.buttons.sendResetLink);
        expect(await journey.notice(b)).toBe(t.text.forgotSent);
        await b.goto(await server.linkFor(email, 'reset'));
        await journey.check(b, 'reset', t.titles.reset);
        await completeByKeyboard(b, [[labels.new, third]], t.buttons.setPassword);
        await journey.check(b, 'reset-done', t.titles.resetDone);

        await journey.signIn(b, email, third);
        await completeByKeyboard(b, [[labels.code, recoveryCodes[1]!]], t.buttons.verifyCode);
        await completeByKeyboard(b, [[labels.password, third]], t.buttons.deleteAccount, b.locator('#delete'));
        await journey.check(b, 'deleted', t.titles.deleted);

        await journey.signIn(b, email, third);
        await expect.poll(() => b.getByRole('alert').textContent()).toBe(t.errors.invalid_credentials);
        await journey.check(b, 'login-refused', t.titles.login);

        expect(journey.elsewhere, 'requests to another host').toEqual([]);
        expect(journey.consoleErrors, 'console errors (CSP reports among them)').toEqual([]);
        expect(journey.failedResources, 'stylesheets or images that did not load').toEqual([]);
        await Promise.all([laptop.context.close(), phone.context.close()]);
      }, 90_000);
    }
  }
});
