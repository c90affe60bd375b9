import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATALOGS } from '../../src/pages/catalogs';
import { PASSKEYS_SCRIPT, WEBAUTHN_SCRIPT } from '../../src/pages/page-scripts';
import { SoftwareAuthenticator } from '../../../../packages/adapters/test/support/software-authenticator';
import { PageClient } from './page-client';
import type { PagesServer } from './pages-server';
import { RETURN_ORIGIN, startPagesServer } from './pages-server';

const { en, fr } = CATALOGS;
const PASSWORD = 'a-Passw0rd-of-mine';
let server: PagesServer;
/** The server by its address: Node's fetch may try ::1 first for `localhost`, where nothing listens. */
let base: string;
let n = 0;

beforeAll(async () => {
  // Every session is past its step-up window at once: removing a passkey asks for the password.
  server = await startPagesServer({ EMAIL_VERIFICATION: 'off', PASSKEY_STEP_UP_SECONDS: '0' }, { host: 'localhost' });
  base = server.url.replace('//localhost:', '//127.0.0.1:');
});
afterAll(async () => {
  await server.close();
  expect(server.errors).toEqual([]);
});

async function signedIn(): Promise<{ person: PageClient; email: string }> {
  const person = new PageClient(base);
  const email = `passkey-pages${++n}@example.com`;
  await person.signUp(email, PASSWORD);
  await person.get('/account');
  return { person, email };
}

/** Registers a passkey over the JSON API, as the page script does, with the session of this client. */
async function addPasskey(person: PageClient, authenticator: SoftwareAuthenticator, name: string): Promise<string> {
  const call = async (path: string, body: unknown) => {
    const cookie = [...person.cookies].map(([key, value]) => `${key}=${value}`).join('; ');
    return fetch(base + path, { method: 'POST', headers: { cookie, origin: base, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  };
  const options = await call('/profile/passkeys/options', { password: PASSWORD });
  expect(options.status).toBe(200);
  const response = authenticator.register((await options.json()) as Record<string, unknown>, { origin: server.url });
  const added = await call('/profile/passkeys', { response, name });
  expect(added.status).toBe(201);
  return ((await added.json()) as { id: string }).id;
}

describe("the pages' scripts", () => {
  it('are served from this origin, as JavaScript, cached for a year under their digest, with the pages’ headers', async () => {
    for (const script of [WEBAUTHN_SCRIPT, PASSKEYS_SCRIPT]) {
      const named = await fetch(`${base}${script.path}?v=${script.version}`);
      expect(named.status).toBe(200);
      expect(named.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(named.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(named.headers.get('x-content-type-options')).toBe('nosniff');
      expect(await named.text()).toBe(script.body);
      // Another digest (an older page): kept by no cache.
      expect((await fetch(`${base}${script.path}?v=old`)).headers.get('cache-control')).toBe('no-store');
    }
    expect(WEBAUTHN_SCRIPT.body.startsWith('/* [@simplewebauthn/browser@14.0.0] */')).toBe(true);
  });

  it('are named by the pages that run ceremonies, which no inline script or handler attribute joins', async () => {
    const visitor = new PageClient(base);
    const login = await visitor.get('/login');
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self';connect-src 'self';");
    const scripts = [...login.html.matchAll(/<script[^>]*>/g)].map((match) => match[0]);
    expect(scripts).toEqual([
      `<script src="pages-webauthn.js?v=${WEBAUTHN_SCRIPT.version}" defer="">`,
      `<script src="pages-passkeys.js?v=${PASSKEYS_SCRIPT.version}" defer="">`,
    ]);
    expect(login.html).not.toMatch(/\son[a-z]+=/i);
    // The sign-up page runs no ceremony: no script at all.
    expect((await visitor.get('/signup')).html).not.toMatch(/<script/i);
  });
});

describe('passkeys on the sign-in page', () => {
  it('offer the autofill and the button, and go where a password sign-in goes (an allowed return_to, else the account)', async () => {
    const visitor = new PageClient(base);
    const plain = await visitor.get('/login');
    expect(plain.html).toContain('autocomplete="username webauthn"');
    expect(plain.html).toContain(`data-passkey-sign-in="true">${en.passkeys.signIn}</button>`);
    expect(plain.html).toContain('data-landing="account"');
    expect(plain.html).toContain('data-code-step="login?step=code"');
    expect(plain.html).toContain(`<noscript><p class="hint">${en.passkeys.needsScript}</p></noscript>`);

    const returnTo = `${RETURN_ORIGIN}/after?x=1`;
    const back = await visitor.get(`/login?return_to=${encodeURIComponent(returnTo)}`);
    expect(back.html).toContain(`data-landing="${returnTo}"`);
    expect(back.html).toContain(`data-code-step="login?step=code&amp;return_to=${encodeURIComponent(returnTo)}"`);
    const elsewhere = await visitor.get(`/login?return_to=${encodeURIComponent('https://evil.example/')}`);
    expect(elsewhere.html).toContain('data-landing="account"');
    expect(elsewhere.html).not.toContain('evil.example');
  });

  it('speak the page’s language to the script, never the API’s words', async () => {
    const french = await new PageClient(base).get('/login?lang=fr');
    const texts = JSON.parse(/data-texts="([^"]*)"/.exec(french.html)![1]!.replaceAll('&quot;', '"').replaceAll('&amp;', '&').replaceAll('&#39;', "'")) as {
      errors: Record<string, string>;
      cancelled: string;
    };
    expect(texts.errors.invalid_passkey).toBe(fr.errors.invalid_passkey);
    expect(texts.cancelled).toBe(fr.passkeys.cancelled);
    expect(french.html).toContain(fr.passkeys.signIn);
  });

  it('open the code step of a pending login only when there is one', async () => {
    const visitor = new PageClient(base);
    const none = await visitor.get('/login?step=code');
    expect(none.html).toContain(`<h1>${en.titles.login}</h1>`);
  });
});

describe('passkeys on the account page', () => {
  it('are listed without script, renamed and removed by plain forms, removal after the password', async () => {
    const { person } = await signedIn();
    const empty = await person.get('/account');
    expect(empty.html).toContain(`<p>${en.passkeys.none}</p>`);
    // The session is past the window (PASSKEY_STEP_UP_SECONDS=0): the add form shows its password field.
    expect(empty.html).toContain('<div data-step-up="true"><div class="field"><label for="passkey-add-password">');

    const authenticator = new SoftwareAuthenticator({ synced: true });
    const id = await addPasskey(person, authenticator, '<b>Phone</b>');
    const listed = await person.get('/account');
    expect(listed.html).toContain('<strong class="passkey-name">&lt;b&gt;Phone&lt;/b&gt;</strong>');
    expect(listed.html).toContain(`<span class="badge ok">${en.passkeys.synced}</span>`);
    expect(listed.html).toContain(`${en.passkeys.added} <time datetime="`);
    expect(listed.html).toContain(en.passkeys.neverUsed);

    const renamed = await person.post('/account', { action: 'rename_passkey', id, name: '  Work phone  ' });
    expect(renamed.status).toBe(303);
    expect(renamed.location).toBe('account?done=passkey_renamed');
    const after = await person.get('/account?done=passkey_renamed');
    expect(after.html).toContain(en.notices.passkey_renamed);
    expect(after.html).toContain('<strong class="passkey-name">Work phone</strong>');

    // Without the password, then with a wrong one: refused beside the field, the row's disclosure open.
    const bare = await person.post('/account', { action: 'remove_passkey', id });
    expect(bare.status).toBe(403);
    expect(bare.html).toContain(`<p class="field-error" id="remove-0-password-error">${en.errors.step_up_required}</p>`);
    expect(bare.html).toContain('<details class="passkey-manage" open="">');
    const wrong = await person.post('/account', { action: 'remove_passkey', id, password: 'not-the-password' });
    expect(wrong.status).toBe(401);
    expect(wrong.html).toContain(`<p class="field-error" id="remove-0-password-error">${en.errors.wrong_password}</p>`);

    const removed = await person.post('/account', { action: 'remove_passkey', id, password: PASSWORD });
    expect(removed.location).toBe('account?done=passkey_removed');
    const gone = await person.get('/account?done=passkey_removed');
    expect(gone.html).toContain(en.notices.passkey_removed);
    expect(gone.html).toContain(`<p>${en.passkeys.none}</p>`);

    // A passkey that is not there (removed, or another account's): said at the top of the section.
    const unknown = await person.post('/account', { action: 'rename_passkey', id, name: 'Again' });
    expect(unknown.status).toBe(404);
    expect(unknown.html).toContain(`<p class="form-error" role="alert">${en.errors.unknown_passkey}</p>`);
  });

  it('refuse a rename or removal without the session’s form token', async () => {
    const { person } = await signedIn();
    const id = await addPasskey(person, new SoftwareAuthenticator(), 'Laptop');
    const forged = await person.post('/account', { action: 'remove_passkey', id, password: PASSWORD, csrf: 'forged' });
    expect(forged.status).toBe(403);
    expect(forged.html).toContain(en.text.formExpired);
    expect((await person.get('/account')).html).toContain('<strong class="passkey-name">Laptop</strong>');
  });
});

describe('without a relying party', () => {
  it('the pages offer no passkey ceremony and run no script; the account page says passkeys are not available', async () => {
    const bare = await startPagesServer({ EMAIL_VERIFICATION: 'off', RESET_TOKEN_DELIVERY: 'response', PUBLIC_URL: '' });
    try {
      const person = new PageClient(bare.url);
      const login = await person.get('/login');
      expect(login.html).not.toMatch(/<script/i);
      expect(login.html).toContain('autocomplete="username"');
      await person.signUp(`no-rp${++n}@example.com`, PASSWORD);
      const account = await person.get('/account');
      expect(account.html).not.toMatch(/<script/i);
      expect(account.html).toContain(`<p class="hint">${en.passkeys.unavailable}</p>`);
    } finally {
      await bare.close();
    }
  });
});
