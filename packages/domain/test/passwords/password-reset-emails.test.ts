import type { AuthService } from '../../src';
import { beforeEach, describe, expect, it } from 'vitest';
import { memoryStores } from '@latchkey/adapters';
import type { MemoryStores } from '@latchkey/adapters';
import type { MailMessage, Mailer } from '../../src';
import { createAuth, PasswordResetEmails, composeResetEmail, durationInWords } from '../../src';
import { FakeClock, FakeHasher, mailOutbox } from '../fakes';

class RecordingMailer implements Mailer {
  readonly sent: MailMessage[] = [];
  async send(message: MailMessage): Promise<void> {
    this.sent.push(message);
  }
}

describe('reset emails', () => {
  let auth: AuthService;
  let mailer: RecordingMailer;
  let emails: PasswordResetEmails;
  let stores: MemoryStores;

  beforeEach(async () => {
    stores = memoryStores();
    auth = createAuth({ ...stores, hasher: new FakeHasher(), clock: new FakeClock() });
    mailer = new RecordingMailer();
    const outbox = mailOutbox(stores.outbox, mailer);
    emails = new PasswordResetEmails(auth.passwords, outbox, { urlTemplate: 'https://app.example.com/reset?token={token}&email={email}', tokenTtlMs: 1_800_000 });
    outbox.serve(emails);
    await auth.registerUser('Bob+tag@Example.com', 'old');
  });

  it('mails a working token to a registered address, in text and HTML', async () => {
    await emails.send('bob+tag@example.com');
    await emails.drain();
    expect(mailer.sent).toHaveLength(1);
    const [message] = mailer.sent;
    expect(message!.to).toBe('Bob+tag@Example.com');
    const link = /https:\/\/app\.example\.com\/reset\?\S+/.exec(message!.text)![0];
    const url = new URL(link);
    expect(url.searchParams.get('email')).toBe('Bob+tag@Example.com');
    expect(message!.text).toContain('within 30 minutes');
    expect(message!.html).toContain(`href="${link.replaceAll('&', '&#38;')}"`);
    await auth.updatePassword(url.searchParams.get('token')!, 'new', 'bob+tag@example.com');
    expect(await auth.validLogin('bob+tag@example.com', 'new')).toBe(true);
  });

  it('sends nothing, and raises nothing, for an unknown address', async () => {
    await emails.send('nobody@example.com');
    await emails.drain();
    expect(mailer.sent).toHaveLength(0);
    expect(stores.outbox.size).toBe(0);
  });

  it("another request for the address does not void the link already sent", async () => {
    await emails.request('bob+tag@example.com');
    await emails.request('bob+tag@example.com');
    await emails.drain();
    const tokens = mailer.sent.map((message) => new URL(/https:\/\/app\.example\.com\/reset\?\S+/.exec(message.text)![0]).searchParams.get('token')!);
    expect(tokens).toHaveLength(2);
    await auth.updatePassword(tokens[0]!, 'from the first link', 'bob+tag@example.com');
    expect(await auth.validLogin('bob+tag@example.com', 'from the first link')).toBe(true);
  });

  it('request returns at once and reports failures to the outbox onFailure', async () => {
    const errors: unknown[] = [];
    let answer!: () => void;
    const smtpAnswers = new Promise<void>((resolve) => (answer = resolve));
    const mailer = { send: async () => smtpAnswers.then(() => Promise.reject(new Error('smtp down'))) };
    const outbox = mailOutbox(stores.outbox, mailer, { settings: { attempts: 1 }, onFailure: (_message, error) => errors.push(error) });
    const failing = new PasswordResetEmails(auth.passwords, outbox, { urlTemplate: 'https://x/{token}', tokenTtlMs: 60_000 });
    outbox.serve(failing);
    await failing.request('bob+tag@example.com');
    await failing.request('nobody@example.com');
    expect(errors).toEqual([]);
    answer();
    await failing.drain();
    expect(errors.map((e) => (e as Error).message)).toEqual(['smtp down']);
  });

  it('escapes the address in the HTML part', () => {
    const message = composeResetEmail('<b>@example.com', 'tok', { urlTemplate: 'https://x/{token}', tokenTtlMs: 60_000 });
    expect(message.html).not.toContain('<b>@');
    expect(message.text).toContain('within 1 minute');
  });

  it('tells durations in words', () => {
    expect(durationInWords(30 * 60_000)).toBe('30 minutes');
    expect(durationInWords(3600_000)).toBe('1 hour');
    expect(durationInWords(2 * 3600_000 + 15 * 60_000)).toBe('2 hours 15 minutes');
    expect(durationInWords(86_400_000)).toBe('1 day');
    expect(durationInWords(45_000)).toBe('45 seconds');
  });
});
