import { afterEach, describe, expect, it } from 'vitest';
import { auditEmailDigest } from '@latchkey/domain';
import type { Services } from '@latchkey/runtime';
import { createServices, loadConfig } from '@latchkey/runtime';
import type { ReceivedMail, SmtpSink } from '../../../packages/adapters/test/support/smtp-sink';
import { decodeQuotedPrintable, startSmtpSink } from '../../../packages/adapters/test/support/smtp-sink';
import { createApp } from '../src/app';
import { EMAIL_CHANGE_SENT } from '../src/routes/profile-email';
import { form, listenLocally, sessionCookie } from './harness';
import { checkResponsesAgainstDocument } from './openapi-validator';

interface Running {
  url: string;
  services: Services;
  problems: string[];
  close(): Promise<void>;
}

const VERIFY = 'https://app.example.com/verify?token={token}';
const CHANGE = 'https://app.example.com/change-email?token={token}';

async function start(smtpUrl: string, env: Record<string, string> = {}): Promise<Running> {
  const config = loadConfig({
    NODE_ENV: 'test',
    BCRYPT_ROUNDS: '4',
    DATABASE_URL: 'sqlite::memory:',
    SMTP_URL: smtpUrl,
    MAIL_FROM: 'no-reply@latchkey.test',
    EMAIL_VERIFICATION: 'required',
    VERIFY_URL_TEMPLATE: VERIFY,
    EMAIL_CHANGE_URL_TEMPLATE: CHANGE,
    ...env,
  });
  const quiet = () => {};
  const services = await createServices(config, { logger: { info: quiet, warn: quiet, error: quiet }, mailRetry: { attempts: 2, backoffMs: 50 } });
  const app = createApp({ auth: services.auth, cookie: { secure: false, maxAgeSeconds: 60 }, logError: () => {} });
  const problems: string[] = [];
  app.middleware.unshift(checkResponsesAgainstDocument(problems));
  const server = await listenLocally(app);
  return {
    url: server.url,
    services,
    problems,
    close: async () => {
      await server.close();
      await services.close();
      expect(problems).toEqual([]);
    },
  };
}

interface Answer {
  status: number;
  text: string;
  cookie?: string;
  ms: number;
}

async function call(url: string, method: string, path: string, fields?: Record<string, string>, cookie?: string): Promise<Answer> {
  const started = performance.now();
  const init = fields ? form(fields) : { headers: {} };
  const headers = { ...(init.headers as Record<string, string>), 'user-agent': 'lifecycle-test/1.0', ...(cookie ? { cookie: `session_id=${cookie}` } : {}) };
  const response = await fetch(url + path, { ...init, method, headers, redirect: 'manual' });
  const text = await response.text();
  return { status: response.status, text, cookie: sessionCookie(response), ms: performance.now() - started };
}

/** The decoded text of a message (headers and body), and the token of its link. */
function decoded(mail: ReceivedMail): string {
  return decodeQuotedPrintable(mail.raw);
}
function tokenOf(mail: ReceivedMail): string {
  const link = /https:\/\/app\.example\.com\/[a-z-]+\?token=[A-Za-z0-9_%-]+/.exec(decoded(mail))![0];
  return decodeURIComponent(new URL(link).searchParams.get('token')!);
}
function subjectOf(mail: ReceivedMail): string {
  return /^Subject: (.*)$/m.exec(mail.raw)![1]!;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return (sorted[Math.floor((sorted.length - 1) / 2)]! + sorted[Math.ceil((sorted.length - 1) / 2)]!) / 2;
}

/** Mail with the given recipient, waiting for it. */
async function mailTo(sink: SmtpSink, to: string, nth = 1): Promise<ReceivedMail> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const found = sink.received.filter((mail) => mail.to.some((address) => address.toLowerCase() === to.toLowerCase()));
    if (found.length >= nth) {
      const mail = found[nth - 1]!;
      if (process.env.LATCHKEY_SHOW_MAIL) console.log(`----- received by the SMTP sink for ${to}\n${decoded(mail)}`);
      return mail;
    }
    if (Date.now() > deadline) throw new Error(`no mail ${nth} to ${to}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe('the account lifecycle over HTTP, with a real SMTP server', () => {
  let sink: SmtpSink | undefined;
  let running: Running | undefined;
  afterEach(async () => {
    await running?.close();
    await sink?.close();
    running = undefined;
    sink = undefined;
  });

  async function signedUp(email: string, password: string): Promise<string> {
    const { url } = running!;
    const earlier = sink!.received.filter((mail) => mail.to.includes(email)).length;
    expect((await call(url, 'POST', '/users', { email, password })).status).toBe(200);
    expect((await call(url, 'POST', '/verify_email', { token: tokenOf(await mailTo(sink!, email, earlier + 1)) })).status).toBe(200);
    const login = await call(url, 'POST', '/sessions', { email, password });
    expect(login.status).toBe(200);
    return login.cookie!;
  }

  it('EMAIL_VERIFICATION=required: a new account gets a link, cannot log in before using it and can after', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    const { url } = running;
    expect(await call(url, 'POST', '/users', { email: 'ada@example.com', password: 'b4l0u' })).toMatchObject({
      status: 200,
      text: JSON.stringify({ email: 'ada@example.com', message: 'user created' }),
    });
    const mail = await mailTo(sink, 'ada@example.com');
    expect(subjectOf(mail)).toBe('Confirm your Latchkey email address');
    const wrong = await call(url, 'POST', '/sessions', { email: 'ada@example.com', password: 'nope' });
    const unverified = await call(url, 'POST', '/sessions', { email: 'ada@example.com', password: 'b4l0u' });
    expect([unverified.status, unverified.text, unverified.cookie]).toEqual([wrong.status, wrong.text, undefined]);

    // The way out for one who cannot log in: a new link by email, the same answer for anyone.
    const resend = await call(url, 'POST', '/verify_email/resend', { email: 'ada@example.com' });
    const unknown = await call(url, 'POST', '/verify_email/resend', { email: 'nobody@example.com' });
    expect([resend.status, resend.text]).toEqual([unknown.status, unknown.text]);
    const second = await mailTo(sink, 'ada@example.com', 2);

    expect(await call(url, 'POST', '/verify_email', { token: 'not-a-token' })).toMatchObject({ status: 400 });
    const verified = await call(url, 'POST', '/verify_email', { token: tokenOf(second) });
    expect(verified).toMatchObject({ status: 200, text: JSON.stringify({ email: 'ada@example.com', message: 'email verified' }) });
    expect((await call(url, 'POST', '/verify_email', { token: tokenOf(mail) })).status).toBe(400);
    const login = await call(url, 'POST', '/sessions', { email: 'ada@example.com', password: 'b4l0u' });
    expect(login.status).toBe(200);
    expect(JSON.parse((await call(url, 'GET', '/profile', undefined, login.cookie)).text)).toEqual({ email: 'ada@example.com', email_verified: true });
  });

  it('answers a known and an unknown address byte for byte alike, in the same time (50 interleaved pairs), and tells the owner', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url, { BCRYPT_ROUNDS: '8' });
    const { url } = running;
    await call(url, 'POST', '/users', { email: 'known@example.com', password: 'pw-known' });
    await mailTo(sink, 'known@example.com');
    const known: Answer[] = [];
    const unknown: Answer[] = [];
    for (let i = 0; i < 50; i++) {
      known.push(await call(url, 'POST', '/users', { email: 'known@example.com', password: `other-${i}` }));
      unknown.push(await call(url, 'POST', '/users', { email: `new-${i}@example.com`, password: `other-${i}` }));
    }
    for (let i = 0; i < 50; i++) {
      expect(known[i]!.status).toBe(200);
      expect(known[i]!.text).toBe(JSON.stringify({ email: 'known@example.com', message: 'user created' }));
      expect(unknown[i]!.text).toBe(JSON.stringify({ email: `new-${i}@example.com`, message: 'user created' }));
    }
    const notice = await mailTo(sink, 'known@example.com', 2);
    expect(subjectOf(notice)).toBe('Someone tried to sign up to Latchkey with your address');
    expect(decoded(notice)).toContain('lifecycle-test/1.0');

    const wrong: Answer[] = [];
    const unverified: Answer[] = [];
    await call(url, 'POST', '/users', { email: 'waiting@example.com', password: 'right-one' });
    for (let i = 0; i < 50; i++) {
      // Distinct accounts keep the per-account throttle out of the way.
      wrong.push(await call(url, 'POST', '/sessions', { email: `new-${i}@example.com`, password: 'wrong' }));
      unverified.push(await call(url, 'POST', '/sessions', { email: `new-${i}@example.com`, password: `other-${i}` }));
    }
    for (let i = 0; i < 50; i++) expect([unverified[i]!.status, unverified[i]!.text]).toEqual([wrong[i]!.status, wrong[i]!.text]);
    const medians = {
      registerKnownMs: median(known.map((a) => a.ms)),
      registerUnknownMs: median(unknown.map((a) => a.ms)),
      loginWrongPasswordMs: median(wrong.map((a) => a.ms)),
      loginUnverifiedMs: median(unverified.map((a) => a.ms)),
    };
    console.log(`account lifecycle timing medians (50 interleaved pairs, bcrypt cost 8): ${JSON.stringify(medians)}`);
    // The same work on both paths (a bcrypt hash or compare, one write attempt): within a few ms of each other.
    expect(Math.abs(medians.registerKnownMs - medians.registerUnknownMs)).toBeLessThan(Math.max(3, medians.registerUnknownMs * 0.25));
    expect(Math.abs(medians.loginWrongPasswordMs - medians.loginUnverifiedMs)).toBeLessThan(Math.max(3, medians.loginWrongPasswordMs * 0.25));
  });

  it('changes the password while signed in: the current session stays, the others end, the owner is told', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    const { url } = running;
    const current = await signedUp('bob@example.com', 'first-pass');
    const other = (await call(url, 'POST', '/sessions', { email: 'bob@example.com', password: 'first-pass' })).cookie!;
    expect(await call(url, 'PUT', '/profile/password', { current_password: 'wrong', new_password: 'second-pass' }, current)).toMatchObject({ status: 401 });
    // Each change of the account is refused from a page of another origin, cookie or not.
    for (const [method, path] of [['PUT', '/profile/password'], ['PUT', '/profile/email'], ['DELETE', '/profile'], ['POST', '/verify_email/resend']]) {
      const foreign = await fetch(url + path!, { method, ...form({ password: 'first-pass' }), headers: { ...form({}).headers, origin: 'https://evil.example', cookie: `session_id=${current}` } });
      expect([path, foreign.status, await foreign.text()]).toEqual([path, 403, JSON.stringify({ message: 'cross-origin request refused' })]);
    }
    expect((await call(url, 'PUT', '/profile/password', { current_password: 'first-pass', new_password: 'second-pass' })).status).toBe(403);
    const changed = await call(url, 'PUT', '/profile/password', { current_password: 'first-pass', new_password: 'second-pass' }, current);
    expect(changed).toMatchObject({ status: 200, text: JSON.stringify({ email: 'bob@example.com', message: 'Password changed', sessions_ended: 1 }) });
    expect((await call(url, 'GET', '/profile', undefined, current)).status).toBe(200);
    expect((await call(url, 'GET', '/profile', undefined, other)).status).toBe(403);
    expect((await call(url, 'POST', '/sessions', { email: 'bob@example.com', password: 'first-pass' })).status).toBe(401);
    expect((await call(url, 'POST', '/sessions', { email: 'bob@example.com', password: 'second-pass' })).status).toBe(200);
    const notice = await mailTo(sink, 'bob@example.com', 2);
    expect(subjectOf(notice)).toBe('Your Latchkey password was changed');
    expect(decoded(notice)).not.toContain('second-pass');

    // A reset link used tells the owner too (the token travels in the answer by default).
    const { reset_token } = JSON.parse((await call(url, 'POST', '/reset_password', { email: 'bob@example.com' })).text) as { reset_token: string };
    expect((await call(url, 'PUT', '/reset_password', { email: 'bob@example.com', reset_token, new_password: 'third-pass' })).status).toBe(200);
    const reset = await mailTo(sink, 'bob@example.com', 3);
    expect(decoded(reset)).toContain('was changed with a password reset link; every session was ended');
    expect(decoded(reset)).not.toContain(reset_token);
  });

  it('changes the email only through the link sent to the new address, and tells the old address', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    const { url } = running;
    const cookie = await signedUp('carol@example.com', 'carol-pass');
    expect((await call(url, 'PUT', '/profile/email', { password: 'wrong', new_email: 'carol@new.example' }, cookie)).status).toBe(401);
    const asked = await call(url, 'PUT', '/profile/email', { password: 'carol-pass', new_email: 'Carol@New.example' }, cookie);
    expect(asked).toMatchObject({ status: 200, text: JSON.stringify({ email: 'carol@example.com', new_email: 'Carol@New.example', message: EMAIL_CHANGE_SENT }) });
    const requested = await mailTo(sink, 'carol@example.com', 2);
    expect(subjectOf(requested)).toBe('A change of your Latchkey email address was requested');
    const link = await mailTo(sink, 'Carol@New.example');
    expect(JSON.parse((await call(url, 'GET', '/profile', undefined, cookie)).text).email).toBe('carol@example.com');

    const confirmed = await call(url, 'POST', '/profile/email/confirm', { token: tokenOf(link) });
    expect(confirmed).toMatchObject({ status: 200, text: JSON.stringify({ email: 'Carol@New.example', message: 'Email changed' }) });
    expect((await call(url, 'POST', '/profile/email/confirm', { token: tokenOf(link) })).status).toBe(400);
    expect(JSON.parse((await call(url, 'GET', '/profile', undefined, cookie)).text)).toEqual({ email: 'Carol@New.example', email_verified: true });
    const changed = await mailTo(sink, 'carol@example.com', 3);
    expect(subjectOf(changed)).toBe('Your Latchkey email address was changed');
    expect(decoded(changed)).toMatch(/When: \d{4}-\d\d-\d\dT/);
    expect(decoded(changed)).toContain('From address: 127.0.0.1');
    expect(decoded(changed)).toContain('Browser or client: lifecycle-test/1.0');
    expect((await call(url, 'POST', '/sessions', { email: 'carol@example.com', password: 'carol-pass' })).status).toBe(401);
    expect((await call(url, 'POST', '/sessions', { email: 'carol@new.example', password: 'carol-pass' })).status).toBe(200);
  });

  it('refuses a link whose address another account took meanwhile, with a 400 and never a 500', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    const { url } = running;
    const cookie = await signedUp('dan@example.com', 'dan-pass');
    await call(url, 'PUT', '/profile/email', { password: 'dan-pass', new_email: 'taken@example.com' }, cookie);
    const link = await mailTo(sink, 'taken@example.com');
    await call(url, 'POST', '/users', { email: 'taken@example.com', password: 'x' });
    expect(await call(url, 'POST', '/profile/email/confirm', { token: tokenOf(link) })).toMatchObject({
      status: 400,
      text: JSON.stringify({ message: 'email already registered', code: 'user_already_exists' }),
    });
  });

  it('ends a race for one address over HTTP with one owner, 400s and never a 500 (10 rounds)', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url, { EMAIL_VERIFICATION: 'optional' });
    const { url, services } = running;
    const cookies = [await signedUp('p@example.com', 'p-pass'), await signedUp('q@example.com', 'q-pass')];
    for (let round = 0; round < 10; round++) {
      const wanted = `wanted${round}@example.com`;
      const owners = ['p', 'q'];
      for (let i = 0; i < 2; i++) await call(url, 'PUT', '/profile/email', { password: `${owners[i]}-pass`, new_email: wanted }, cookies[i]);
      const links = [tokenOf(await mailTo(sink, wanted, 1)), tokenOf(await mailTo(sink, wanted, 2))];
      const answers = await Promise.all([
        ...links.map((token) => call(url, 'POST', '/profile/email/confirm', { token })),
        call(url, 'POST', '/users', { email: wanted, password: 'r-pass' }),
      ]);
      expect(answers.map((a) => a.status).sort()).toEqual([200, 400, 400]);
      const owner = await services.users.findUserBy({ email: wanted });
      // Whoever won, the two others were refused; the next round moves p and q again.
      expect(owner.email).toBe(wanted);
      for (let i = 0; i < 2; i++) {
        const profile = JSON.parse((await call(url, 'GET', '/profile', undefined, cookies[i])).text) as { email: string };
        if (profile.email === wanted) await call(url, 'PUT', '/profile/email', { password: `${owners[i]}-pass`, new_email: `${owners[i]}${round}@example.com` }, cookies[i]);
      }
    }
  });

  it('deletes the account: the old cookie gives 403, the email registers again, the trail keeps a digest', async () => {
    sink = await startSmtpSink();
    running = await start(sink.url);
    const { url, services } = running;
    const cookie = await signedUp('erin@example.com', 'erin-pass');
    expect((await call(url, 'DELETE', '/profile', { password: 'wrong' }, cookie)).status).toBe(401);
    const deleted = await call(url, 'DELETE', '/profile', { password: 'erin-pass' }, cookie);
    expect(deleted).toMatchObject({ status: 200, text: JSON.stringify({ email: 'erin@example.com', message: 'Account deleted' }) });
    expect((await call(url, 'GET', '/profile', undefined, cookie)).status).toBe(403);
    expect(subjectOf(await mailTo(sink, 'erin@example.com', 2))).toBe('Your Latchkey account was deleted');
    expect(await services.audit.recent({ email: 'erin@example.com', limit: 50 })).toEqual([]);
    const trail = await services.audit.recent({ email: auditEmailDigest('erin@example.com'), limit: 50 });
    expect(trail.map((event) => event.type)).toContain('account_deleted');
    expect(trail.map((event) => event.type)).toContain('register');
    await signedUp('erin@example.com', 'new-erin');
  });
});

describe('EMAIL_VERIFICATION=off (the default)', () => {
  it('keeps the contract: a known address is a 400, the profile has no email_verified, no mail is needed', async () => {
    const sink = await startSmtpSink();
    const running = await start(sink.url, { EMAIL_VERIFICATION: 'off' });
    try {
      const { url } = running;
      expect((await call(url, 'POST', '/users', { email: 'gus@example.com', password: 'b4l0u' })).status).toBe(200);
      expect(await call(url, 'POST', '/users', { email: 'gus@example.com', password: 'b4l0u' })).toMatchObject({
        status: 400,
        text: JSON.stringify({ message: 'email already registered', code: 'user_already_exists' }),
      });
      const login = await call(url, 'POST', '/sessions', { email: 'gus@example.com', password: 'b4l0u' });
      expect((await call(url, 'GET', '/profile', undefined, login.cookie)).text).toBe(JSON.stringify({ email: 'gus@example.com' }));
      expect((await call(url, 'POST', '/verify_email/resend', undefined, login.cookie)).status).toBe(400);
    } finally {
      await running.close();
      await sink.close();
    }
  });
});
