import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MailMessage, Mailer } from '@latchkey/domain';
import { FileMailer, QueuedMailer, SmtpMailer } from '../src';
import type { SmtpSink } from './support/smtp-sink';
import { decodeQuotedPrintable, startSmtpSink } from './support/smtp-sink';

const message: MailMessage = { to: 'bob@example.com', subject: 'Hello', text: 'Body with https://x.example/?token=abc', html: '<p>Body</p>' };

describe('SmtpMailer', () => {
  let sink: SmtpSink | undefined;
  afterEach(async () => {
    await sink?.close();
    sink = undefined;
  });

  it('delivers text and HTML to a real SMTP server', async () => {
    sink = await startSmtpSink();
    const mailer = new SmtpMailer({ url: sink.url, from: 'Latchkey <no-reply@latchkey.test>' });
    await mailer.verify();
    await mailer.send(message);
    const mail = await sink.waitFor(1);
    expect(mail.from).toBe('no-reply@latchkey.test');
    expect(mail.to).toEqual(['bob@example.com']);
    expect(mail.raw).toContain('Subject: Hello');
    expect(mail.raw).toContain('text/html');
    expect(decodeQuotedPrintable(mail.raw)).toContain('https://x.example/?token=abc');
    mailer.close();
  });

  it('fails verification when nothing listens', async () => {
    sink = await startSmtpSink();
    const url = sink.url;
    await sink.close();
    sink = undefined;
    await expect(new SmtpMailer({ url, from: 'a@b.c', timeoutMs: 2000 }).verify()).rejects.toThrow();
  });
});

describe('QueuedMailer', () => {
  class FlakyMailer implements Mailer {
    calls = 0;
    constructor(private readonly failures: number) {}
    async send(): Promise<void> {
      if (++this.calls <= this.failures) throw new Error(`refused ${this.calls}`);
    }
  }

  it('accepts at once and retries in the background until delivered', async () => {
    const inner = new FlakyMailer(2);
    const failures: unknown[] = [];
    const queue = new QueuedMailer(inner, { attempts: 3, backoffMs: 10, onFailure: (e) => failures.push(e) });
    await queue.send(message);
    expect(inner.calls).toBe(1);
    await queue.drain();
    expect(inner.calls).toBe(3);
    expect(failures).toEqual([]);
  });

  it('reports a message given up after its last try, without its body', async () => {
    const inner = new FlakyMailer(10);
    const failures: Array<[string, string, number]> = [];
    const queue = new QueuedMailer(inner, { attempts: 2, backoffMs: 10, onFailure: (e, to, n) => failures.push([(e as Error).message, to, n]) });
    await queue.send(message);
    await queue.drain();
    expect(failures).toEqual([['refused 2', 'bob@example.com', 2]]);
  });
});

describe('FileMailer', () => {
  it('writes each message as an .eml file readable by its owner only, and names the file', async () => {
    const root = mkdtempSync(join(tmpdir(), 'latchkey-mail-'));
    const written: string[] = [];
    try {
      const mailer = new FileMailer({ dir: join(root, 'mail'), from: 'no-reply@latchkey.test', onWritten: (file) => written.push(file) });
      await mailer.send(message);
      await mailer.send(message);
      const files = readdirSync(join(root, 'mail'));
      expect(files).toHaveLength(2);
      expect(files.every((file) => file.endsWith('.eml'))).toBe(true);
      expect(written.map((file) => file.split('/').pop()).sort()).toEqual([...files].sort());
      const eml = readFileSync(written[0]!, 'utf8');
      expect(eml).toMatch(/^To: bob@example\.com$/m);
      expect(eml).toMatch(/^Subject: Hello$/m);
      expect(decodeQuotedPrintable(eml)).toContain('https://x.example/?token=abc');
      expect(statSync(written[0]!).mode & 0o777).toBe(0o600);
      expect(statSync(join(root, 'mail')).mode & 0o777).toBe(0o700);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
