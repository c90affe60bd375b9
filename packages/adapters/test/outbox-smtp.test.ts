import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { OutboxWorker, mailDelivery, mailMessage } from '@latchkey/domain';
import type { OutboxMessageFacts, OutboxWorkerSettings } from '@latchkey/domain';
import type { Knex } from '../src';
import { KnexOutboxStore, SmtpMailer, createKnex, migrateToLatest } from '../src';
import type { SmtpSink } from './support/smtp-sink';
import { decodeQuotedPrintable, startSmtpSink } from './support/smtp-sink';

const TOKEN = 'tok_9f8e7d6c5b4a';

function resetLink(to: string) {
  const link = `https://app.example.com/reset?token=${TOKEN}`;
  return mailMessage('reset_link', { to, subject: 'Reset your password', text: `Open ${link}`, html: `<a href="${link}">Reset</a>` });
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('the outbox worker against a real SMTP server (SQLite outbox)', () => {
  let dir: string;
  let knex: Knex;
  let sink: SmtpSink;
  let worker: OutboxWorker | undefined;
  let smtp: SmtpMailer | undefined;
  const log: Array<{ what: string; facts: OutboxMessageFacts; err: string; at: number }> = [];

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'latchkey-outbox-smtp-'));
    knex = createKnex(`sqlite:${join(dir, 'outbox.db')}`);
    await migrateToLatest(knex);
    sink = await startSmtpSink();
    log.length = 0;
  });
  afterEach(async () => {
    await worker?.close(100);
    smtp?.close();
    await sink.close();
    await knex.destroy();
    rmSync(dir, { recursive: true, force: true });
    worker = undefined;
  });

  function start(settings: Partial<OutboxWorkerSettings>, sendTimeoutMs?: number): OutboxWorker {
    smtp = new SmtpMailer({ url: sink.url, from: 'no-reply@latchkey.test', timeoutMs: 2000, sendTimeoutMs });
    worker = new OutboxWorker({
      store: new KnexOutboxStore(knex),
      settings: { pollIntervalMs: 20, ...settings },
      onRetry: (facts, error) => log.push({ what: 'retry', facts, err: (error as Error).message, at: Date.now() }),
      onFailure: (facts, error) => log.push({ what: 'failed', facts, err: (error as Error).message, at: Date.now() }),
    }).handle('mail', mailDelivery(smtp));
    return worker.start();
  }

  it('retries while the server refuses (451), with growing waits, and delivers once it accepts again', async () => {
    sink.refusing = true;
    const outbox = start({ attempts: 6, backoffMs: 100 });
    const started = Date.now();
    await outbox.add([resetLink('bob@example.com')]);
    await until(() => sink.refused >= 3);
    sink.refusing = false;
    const mail = await sink.waitFor(1);
    const took = Date.now() - started;
    expect(mail.to).toEqual(['bob@example.com']);
    expect(decodeQuotedPrintable(mail.raw)).toContain(`token=${TOKEN}`);
    const retries = log.filter((entry) => entry.what === 'retry');
    expect(retries.map((entry) => entry.facts.attempts)).toEqual([1, 2, 3]);
    expect(retries[0]!.err).toMatch(/451/);
    // 100 ms, then 200 ms, then 400 ms between the tries.
    expect(retries[1]!.at - retries[0]!.at).toBeGreaterThanOrEqual(95);
    expect(retries[2]!.at - retries[1]!.at).toBeGreaterThanOrEqual(195);
    expect(took).toBeGreaterThanOrEqual(700);
    await until(async () => Number(((await knex('outbox_messages').count({ n: '*' }).first()) as { n: unknown }).n) === 0);
    console.log(`outbox + SMTP: refused 3 times, delivered after ${took} ms (backoff 100/200/400 ms)`);
  });

  it('gives up after the last try: the row is kept as failed, without its payload, and no log line carries the token', async () => {
    sink.refusing = true;
    const outbox = start({ attempts: 3, backoffMs: 20 });
    await outbox.add([resetLink('bob@example.com')]);
    await until(() => log.some((entry) => entry.what === 'failed'));
    expect(sink.refused).toBe(3);
    const failed = log.find((entry) => entry.what === 'failed')!;
    expect(failed.facts).toMatchObject({ topic: 'mail', kind: 'reset_link', attempts: 3, to: 'bob@example.com' });
    expect(JSON.stringify(log)).not.toContain(TOKEN);
    const rows = (await knex('outbox_messages').select('state', 'payload', 'attempts', 'last_error')) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ state: 'failed', payload: null, attempts: 3 });
    expect(String(rows[0]!.last_error)).toMatch(/451/);
    expect(String(rows[0]!.last_error)).not.toContain(TOKEN);
    expect(sink.received).toEqual([]);
  });

  it('abandons a send the server is too slow to answer at its deadline, and delivers on the next try', async () => {
    sink.delayMs = 3000;
    const outbox = start({ attempts: 4, backoffMs: 50 }, 300);
    const started = Date.now();
    await outbox.add([resetLink('slow@example.com')]);
    await until(() => log.some((entry) => entry.what === 'retry'));
    const abandonedAfter = Date.now() - started;
    sink.delayMs = 0;
    await until(() => sink.received.some((mail) => mail.to.includes('slow@example.com')));
    const retry = log.find((entry) => entry.what === 'retry')!;
    expect(retry.facts.attempts).toBe(1);
    expect(abandonedAfter).toBeGreaterThanOrEqual(290);
    expect(abandonedAfter).toBeLessThan(2500);
    console.log(`outbox + SMTP: a send past its 300 ms deadline abandoned after ${abandonedAfter} ms (${retry.err}), delivered on try 2`);
  });
});
