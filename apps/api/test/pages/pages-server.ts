import { randomBytes } from 'node:crypto';
import type { Services } from '@latchkey/runtime';
import { createServices, loadConfig } from '@latchkey/runtime';
import type { SmtpSink } from '../../../../packages/adapters/test/support/smtp-sink';
import { decodeQuotedPrintable, startSmtpSink } from '../../../../packages/adapters/test/support/smtp-sink';
import { freePort } from '../../../../tools/server-process';
import { createAppFor } from '../../src/server';
import { listenLocally } from '../harness';

export const RETURN_ORIGIN = 'https://app.example.com';

export interface PagesServer {
  url: string;
  services: Services;
  mail: SmtpSink;
  /** Errors the app logged (a page's own failure). */
  errors: unknown[];
  /** The link to one of the pages (`verify`, `reset`) in the next email to this address that holds one. */
  linkFor(to: string, page: string, timeoutMs?: number): Promise<string>;
  close(): Promise<void>;
}

/**
 * The service as a deployment with its pages runs it: the real wiring (configuration →
 * services → app), SQLite in memory, emails to a local SMTP sink, addresses verified by
 * link, resets by email, links to this server's own pages (PUBLIC_URL).
 */
export async function startPagesServer(env: Record<string, string> = {}, options: { host?: '127.0.0.1' | 'localhost' } = {}): Promise<PagesServer> {
  const mail = await startSmtpSink();
  const port = await freePort();
  // It listens on 127.0.0.1 either way; `localhost` is the name a browser reaches it by when
  // the test needs a name rather than an address (a WebAuthn RP ID cannot be an IP address).
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;
  const config = loadConfig({
    NODE_ENV: 'test',
    BCRYPT_ROUNDS: '4',
    DATABASE_URL: 'sqlite::memory:',
    SMTP_URL: mail.url,
    MAIL_FROM: 'no-reply@latchkey.test',
    EMAIL_VERIFICATION: 'required',
    RESET_TOKEN_DELIVERY: 'email',
    PUBLIC_URL: url,
    ENCRYPTION_KEYS: randomBytes(32).toString('base64'),
    RETURN_TO_ORIGINS: RETURN_ORIGIN,
    PASSWORD_MIN_LENGTH: '8',
    ...env,
  });
  const quiet = () => {};
  const services = await createServices(config, { logger: { info: quiet, warn: quiet, error: quiet }, mailRetry: { attempts: 2, backoffMs: 50 } });
  const errors: unknown[] = [];
  const app = createAppFor(config, services, { logError: (error) => errors.push(error) });
  const server = await listenLocally(app, port);
  const used = new Set<number>();
  return {
    url,
    services,
    mail,
    errors,
    linkFor: async (to, page, timeoutMs = 10_000) => {
      const pattern = new RegExp(`${url.replaceAll('.', '\\.')}/${page}\\?token=[A-Za-z0-9_%-]+`);
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        for (const [index, message] of mail.received.entries()) {
          if (used.has(index) || !message.to.includes(to)) continue;
          const link = pattern.exec(decodeQuotedPrintable(message.raw));
          if (link) {
            used.add(index);
            return link[0];
          }
        }
        if (Date.now() > deadline) throw new Error(`no email to ${to} with a link to /${page} within ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    close: async () => {
      await server.close();
      await services.close();
      await mail.close();
    },
  };
}
