import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGS } from '../../src/pages/catalogs';
import { PageClient } from './page-client';
import type { PagesServer } from './pages-server';
import { RETURN_ORIGIN, startPagesServer } from './pages-server';
import { RETURN_TO_BYPASSES } from './return-to-bypasses';

const { en, fr } = CATALOGS;
let server: PagesServer;
let n = 0;

beforeAll(async () => {
  server = await startPagesServer({ EMAIL_VERIFICATION: 'off' });
});
afterAll(async () => {
  await server.close();
  expect(server.errors).toEqual([]);
});

const client = (headers: Record<string, string> = {}) => new PageClient(server.url, headers);
const newEmail = () => `pages${++n}@example.com`;
const PASSWORD = 'a-Passw0rd-of-mine';

async function signedIn(): Promise<{ client: PageClient; email: string }> {
  const person = client();
  const email = newEmail();
  await person.signUp(email, PASSWORD);
  await person.get('/account');
  return { client: person, email };
}

/** An element's text by its id, in a page's HTML (the pages' markup is this regular). */
function textOf(html: string, id: string): string | undefined {
  return new RegExp(`id="${id}"[^>]*>([^<]*)<`).exec(html)?.[1];
}

describe("the pages' headers", () => {
  const expectPageHeaders = (headers: Headers, what: string) => {
    const csp = headers.get('content-security-policy') ?? '';
    expect(csp, what).toContain("frame-ancestors 'none'");
    expect(csp, what).toContain("script-src 'self';");
    expect(csp, what).toContain("connect-src 'self';");
    expect(csp, what).toContain("default-src 'none'");
    expect(csp, what).not.toContain('unsafe-inline');
    expect(headers.get('x-frame-options'), what).toBe('DENY');
    expect(headers.get('x-content-type-options'), what).toBe('nosniff');
    expect(headers.get('referrer-policy'), what).toBe('same-origin');
    expect(headers.get('cache-control'), what).toBe('no-store');
  };

  it('are on every page, its stylesheet, its redirects and its refusals', async () => {
    const { client: person } = await signedIn();
    const stranger = client();
    const answers = [];
    for (const path of ['/login', '/signup', '/forgot', '/reset?token=abc', '/verify', '/verify?token=abc', '/pages.css', '/account']) answers.push(await stranger.get(path));
    answers.push(
      await person.get('/account'),
      await person.get('/login'),
      await stranger.get('/login'),
      await stranger.post('/login', { email: 'nobody@example.com', password: 'wrong' }),
      await stranger.post('/login', { email: 'nobody@example.com', password: 'wrong', csrf: '' }),
    );
    for (const answer of answers) expectPageHeaders(answer.headers, `${answer.status} ${answer.html.slice(0, 80)}`);
    expect(answers.map((answer) => answer.status).join(' ')).toBe('200 200 200 200 200 400 200 303 200 303 200 401 403');
  });

  it("leave the JSON API's answers as they were", async () => {
    const response = await fetch(`${server.url}/`);
    expect(await response.json()).toEqual({ message: 'Bienvenue' });
    expect(response.headers.get('content-security-policy')).toBeNull();
    expect(response.headers.get('x-frame-options')).toBeNull();
  });
});

describe('a form post', () => {
  it('from a page of another origin is refused by the Origin check, before any page runs', async () => {
    const { client: person } = await signedIn();
    const evil = { origin: 'https://evil.example' };
    expect((await person.post('/account', { action: 'end_other_sessions' }, evil)).status).toBe(403);
    expect((await client().post('/login', { email: 'a@example.com', password: 'x' }, evil)).status).toBe(403);
    expect((await person.post('/logout', {}, { origin: 'null' })).status).toBe(403);
    expect((await person.get('/account')).status).toBe(200);
  });

  it('without its token, or with the token of another browser, is refused: the form has expired', async () => {
    const email = newEmail();
    const visitor = client();
    await visitor.get('/signup');
    const stolen = visitor.token;
    const other = client();
    await other.get('/signup');
    for (const csrf of ['', 'x', stolen.slice(1), `${stolen}x`]) {
      const answer = await other.post('/signup', { email, password: PASSWORD, csrf });
      expect(answer.status).toBe(403);
      expect(answer.html).toContain(en.titles.formExpired);
    }
    // A post with the token but none of the browser's cookie (its cookies were cleared).
    other.cookies.clear();
    expect((await other.post('/signup', { email, password: PASSWORD, csrf: stolen })).status).toBe(403);
    expect((await visitor.post('/signup', { email, password: PASSWORD, csrf: stolen })).status).toBe(303);
  });

  it("of the account carries its session's token: not the browser's, not another session's, not an ended one's", async () => {
    const { client: person, email } = await signedIn();
    const sessionToken = person.token;
    await person.get('/forgot');
    const browserToken = person.token;
    expect(browserToken).not.toBe(sessionToken);
    expect((await person.post('/account', { action: 'end_other_sessions', csrf: browserToken })).status).toBe(403);

    const { client: someone } = await signedIn();
    expect((await someone.post('/account', { action: 'end_other_sessions', csrf: sessionToken })).status).toBe(403);

    expect((await person.post('/logout', { csrf: sessionToken })).location).toBe('login');
    await person.get('/login');
    expect((await person.post('/login', { email, password: PASSWORD })).location).toBe('account');
    expect((await person.post('/account', { action: 'end_other_sessions', csrf: sessionToken })).status).toBe(403);
    await person.get('/account');
    expect((await person.post('/account', { action: 'end_other_sessions' })).location).toBe('account?done=others_ended');
  });
});

describe('return_to', () => {
  it(`sends a person back only to ${RETURN_ORIGIN} (RETURN_TO_ORIGINS); every bypass lands on the account`, async () => {
    const { client: person, email } = await signedIn();
    // The sign-in form's token, as a signed-in browser gets it (/login itself sends it on).
    await person.get('/forgot');
    const login = (returnTo: string) => person.post('/login', { email, password: PASSWORD, return_to: returnTo });
    expect((await login(`${RETURN_ORIGIN}/after?x=1`)).location).toBe(`${RETURN_ORIGIN}/after?x=1`);
    for (const bypass of [...RETURN_TO_BYPASSES, 'https://app.example.com.evil.com/', 'https://app.example.com@evil.com/', '//app.example.com']) {
      expect((await login(bypass)).location, bypass).toBe('account');
    }
  });

  it('is kept in the sign-in form only when allowed, and honoured for someone signed in already', async () => {
    const { client: person } = await signedIn();
    expect((await person.get(`/login?return_to=${encodeURIComponent(`${RETURN_ORIGIN}/x`)}`)).location).toBe(`${RETURN_ORIGIN}/x`);
    expect((await person.get('/login?return_to=%2F%2Fevil.com')).location).toBe('account');
    const page = await client().get(`/login?return_to=${encodeURIComponent('https://evil.com/')}`);
    expect(page.html).not.toContain('evil.com');
    const kept = await client().get(`/login?return_to=${encodeURIComponent(`${RETURN_ORIGIN}/x`)}`);
    expect(kept.html).toContain(`name="return_to" value="${RETURN_ORIGIN}/x"`);
  });
});

describe('what a person typed', () => {
  it('is shown as text, never as markup: an email holding <script>', async () => {
    const email = '<script>alert(1)</script>"\'@example.com';
    const person = client();
    await person.get('/signup');
    const refused = await person.post('/signup', { email, password: 'short' });
    expect(refused.status).toBe(400);
    expect(refused.html).toContain('value="&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;@example.com"');
    await person.signUp(email, PASSWORD);
    const account = await person.get('/account');
    expect(account.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;&quot;&#39;@example.com');
    // The only scripts are the pages' own files, named by the layout.
    expect(account.html.replace(/<script src="pages-(webauthn|passkeys)\.js\?v=[\w-]+" defer=""><\/script>/g, '')).not.toMatch(/<script/i);
  });
});

describe('refusals', () => {
  it('are shown beside the field their code names, in the words of the catalog', async () => {
    const { client: person, email } = await signedIn();
    const visitor = client();
    await visitor.get('/signup');
    const taken = await visitor.post('/signup', { email, password: PASSWORD });
    expect(taken.status).toBe(400);
    expect(textOf(taken.html, 'signup-email-error')).toBe(en.errors.user_already_exists);
    expect(taken.html).toMatch(/id="signup-email"[^>]*aria-invalid="true"[^>]*aria-describedby="signup-email-error"/);
    expect(textOf((await visitor.post('/signup', { email: 'no-at-sign', password: PASSWORD })).html, 'signup-email-error')).toBe(en.errors.invalidEmail);
    expect(textOf((await visitor.post('/signup', { email: newEmail(), password: 'short' })).html, 'signup-password-error')).toBe(en.errors.passwordRefused(8));

    await visitor.get('/login');
    const wrong = await visitor.post('/login', { email, password: 'not it' });
    expect(wrong.status).toBe(401);
    expect(textOf(wrong.html, 'login-error')).toBe(en.errors.invalid_credentials);

    const change = await person.post('/account', { action: 'change_password', current_password: 'not it', new_password: 'another-Passw0rd' });
    expect(change.status).toBe(401);
    expect(textOf(change.html, 'password-current_password-error')).toBe(en.errors.wrong_password);
    const same = await person.post('/account', { action: 'change_email', new_email: email.toUpperCase(), password: PASSWORD });
    expect(textOf(same.html, 'email-new_email-error')).toBe(en.errors.sameEmail);
    expect(same.html).toContain(`value="${email.toUpperCase()}"`);
    const deletion = await person.post('/account', { action: 'delete_account', password: 'not it' });
    expect(textOf(deletion.html, 'delete-password-error')).toBe(en.errors.wrong_password);
    expect((await person.get('/account')).status).toBe(200);
  });
});

describe('languages', () => {
  it('follow Accept-Language, and the ?lang= switch kept in a cookie', async () => {
    const french = client({ 'accept-language': 'fr-CH, fr;q=0.9, en;q=0.8' });
    const page = await french.get('/login');
    expect(page.html).toContain('<html lang="fr">');
    expect(page.html).toContain(`<label for="login-email">${fr.fields.email}</label>`);
    expect(page.html).toContain(`<label for="login-password">${fr.fields.password}</label>`);
    expect(page.html).toContain('href="login?lang=en"');

    const switching = client({ 'accept-language': 'en' });
    expect((await switching.get('/reset?token=abc&lang=fr')).html).toContain('href="reset?token=abc&amp;lang=en"');
    expect(switching.cookies.get('lang')).toBe('fr');
    expect((await switching.get('/signup')).html).toContain(`<h1>${fr.titles.signup}</h1>`);
    expect((await switching.get('/signup?lang=en')).html).toContain(`<h1>${en.titles.signup}</h1>`);
    expect((await switching.get('/signup?lang=de')).html).toContain('<html lang="en">');
  });

  it('give every input a visible label, and dates in the reader’s language', async () => {
    const { client: person } = await signedIn();
    for (const lang of ['en', 'fr'] as const) {
      const pages = await Promise.all(['/login', '/signup', '/forgot', '/reset?token=abc', '/verify', '/account'].map((path) => person.get(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`)));
      for (const { html } of pages.filter((answer) => answer.status === 200)) {
        const inputs = [...html.matchAll(/<input id="([^"]+)"/g)].map(([, id]) => id!);
        const labelled = new Set([...html.matchAll(/<label for="([^"]+)">/g)].map(([, id]) => id));
        expect(inputs.filter((id) => !labelled.has(id))).toEqual([]);
      }
      const account = pages.at(-1)!.html;
      expect(account).toContain(`<label for="password-current_password">${CATALOGS[lang].fields.currentPassword}</label>`);
      const month = new Intl.DateTimeFormat(lang, { month: 'long', timeZone: 'UTC' }).format(Date.now());
      expect(account).toContain(month);
      expect(account).toContain(`${CATALOGS[lang].text.signedIn} <time datetime=`);
    }
  });
});

describe('sessions on the pages', () => {
  it('send a cookie that opens nothing to the sign-in page, and clear it', async () => {
    const stale = client();
    stale.cookies.set('session_id', 'not-a-session');
    const answer = await stale.get('/account');
    expect(answer.location).toBe('login');
    expect(stale.cookies.has('session_id')).toBe(false);
  });

  it('end one session, every other one, and this one', async () => {
    const { client: first, email } = await signedIn();
    const second = client();
    await second.get('/login');
    await second.post('/login', { email, password: PASSWORD });
    const account = await first.get('/account');
    const ids = [...account.html.matchAll(/name="id" value="([^"]+)"/g)].map(([, id]) => id!);
    expect(ids).toHaveLength(2);
    const current = /<li class="session current">.*?name="id" value="([^"]+)"/.exec(account.html)![1]!;
    const other = ids.find((id) => id !== current)!;
    expect((await first.post('/account', { action: 'end_session', id: other })).location).toBe('account?done=session_ended');
    expect((await second.get('/account')).location).toBe('login');
    const gone = await first.post('/account', { action: 'end_session', id: other });
    expect(gone.status).toBe(404);
    expect(gone.html).toContain(en.errors.unknown_session);
    expect((await first.post('/account', { action: 'end_session', id: current })).location).toBe('login');
    expect((await first.get('/account')).location).toBe('login');
  });
});

describe('configuration', () => {
  it('HOSTED_PAGES=false mounts no page: the JSON API alone', async () => {
    const apiOnly = await startPagesServer({ HOSTED_PAGES: 'false', RESET_TOKEN_DELIVERY: 'response' });
    try {
      const response = await fetch(`${apiOnly.url}/login`);
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'not found' });
    } finally {
      await apiOnly.close();
    }
  });

  it('without email, /forgot says resets by email are not set up', async () => {
    const noMail = await startPagesServer({ SMTP_URL: '', MAIL_FROM: '', RESET_TOKEN_DELIVERY: 'response', EMAIL_VERIFICATION: 'off' });
    try {
      const visitor = new PageClient(noMail.url);
      expect((await visitor.get('/forgot')).html).toContain(en.text.resetsUnavailable);
      await visitor.get('/login');
      expect((await visitor.post('/forgot', { email: 'a@example.com' })).status).toBe(501);
    } finally {
      await noMail.close();
    }
  });

  it('APP_NAME, LOGO_URL and ACCENT_COLOR brand the pages', async () => {
    const branded = await startPagesServer({ APP_NAME: 'Acme <ID>', LOGO_URL: 'https://cdn.acme.example/logo.svg', ACCENT_COLOR: '#ffd400' });
    try {
      const visitor = new PageClient(branded.url);
      const page = await visitor.get('/login');
      expect(page.html).toContain('<title>Sign in · Acme &lt;ID&gt;</title>');
      expect(page.html).toContain('<img src="https://cdn.acme.example/logo.svg" alt="Acme &lt;ID&gt;"');
      expect(page.headers.get('content-security-policy')).toContain("img-src 'self' data: https://cdn.acme.example;");
      const css = (await visitor.get('/pages.css')).html;
      // A light accent: black text on the buttons, and links in the ink colour.
      expect(css).toContain('--accent:#ffd400;--on-accent:#000000;--link:#1a1a1a');
    } finally {
      await branded.close();
    }
  });
});

describe('links of the emails (address verification required)', () => {
  let verifying: PagesServer;
  beforeAll(async () => {
    verifying = await startPagesServer();
  });
  afterAll(() => verifying.close());

  it('/verify confirms an address, then a change of address; a bad link offers a new one', async () => {
    const email = `verify${++n}@example.com`;
    const person = new PageClient(verifying.url);
    await person.get('/signup');
    expect((await person.post('/signup', { email, password: PASSWORD })).html).toContain(en.text.checkEmail(email));
    await person.get('/login');
    expect((await person.post('/login', { email, password: PASSWORD })).status).toBe(401);

    const bad = await person.get('/verify?token=not-a-token');
    expect(bad.status).toBe(400);
    expect(textOf(bad.html, 'verify-error')).toBe(en.errors.invalid_email_token);
    expect(bad.html).toContain(`<button type="submit">${en.buttons.sendVerification}</button>`);

    const link = new URL(await verifying.linkFor(email, 'verify'));
    expect((await person.get(link.pathname + link.search)).html).toContain(en.text.verified(email));
    await person.get('/login');
    expect((await person.post('/login', { email, password: PASSWORD })).location).toBe('account');
    await person.get('/account');

    const moved = `moved${n}@example.com`;
    expect((await person.post('/account', { action: 'change_email', new_email: moved, password: PASSWORD })).location).toBe('account?done=email_change_sent');
    const change = new URL(await verifying.linkFor(moved, 'verify'));
    expect((await person.get(change.pathname + change.search)).html).toContain(en.text.emailChanged(moved));
    expect((await person.get('/account')).html).toContain(`<strong class="email">${moved}</strong>`);
  });
});
