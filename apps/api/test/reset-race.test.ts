import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BcryptPasswordHasher } from '@latchkey/adapters';
import type { PasswordHasher } from '@latchkey/domain';
import type { TestServer } from './harness';
import { checkPostgres, createScratchDatabase } from '../../../packages/adapters/test/real-services';
import { form, startTestServer } from './harness';

const ROUNDS = 20;

/** bcrypt whose next hash waits until released, so a request can be held mid-flight. */
class GatedHasher implements PasswordHasher {
  private readonly inner = new BcryptPasswordHasher(4);
  private gate?: { entered: () => void; release: Promise<void> };

  hold(): { entered: Promise<void>; release: () => void } {
    let entered!: () => void;
    let release!: () => void;
    const enteredPromise = new Promise<void>((resolve) => (entered = resolve));
    this.gate = { entered, release: new Promise<void>((resolve) => (release = resolve)) };
    return { entered: enteredPromise, release };
  }

  async hash(password: string): Promise<string> {
    const gate = this.gate;
    this.gate = undefined;
    if (gate) {
      gate.entered();
      await gate.release;
    }
    return this.inner.hash(password);
  }

  verify(password: string, hashed: string): Promise<boolean> {
    return this.inner.verify(password, hashed);
  }

  needsRehash(hashed: string): boolean {
    return this.inner.needsRehash(hashed);
  }
}

const postgres = await checkPostgres();

raceSuite('SQLite, better-sqlite3', async () => ({ url: 'sqlite::memory:' }));
raceSuite('SQLite, sqlite3', async () => ({ url: 'sqlite::memory:?driver=sqlite3' }));
if (postgres.available) {
  raceSuite('PostgreSQL', async () => {
    const database = await createScratchDatabase();
    return { url: database.url, drop: () => database.drop() };
  });
} else {
  describe.skip(`reset token races over HTTP (PostgreSQL, skipped: ${postgres.reason})`, () => {
    it('needs PostgreSQL', () => {});
  });
}

function raceSuite(name: string, database: () => Promise<{ url: string; drop?: () => Promise<void> }>): void {
  describe(`reset token races over HTTP (${name})`, () => {
    let server: TestServer;
    let drop: (() => Promise<void>) | undefined;
    const hasher = new GatedHasher();
    let n = 0;

    beforeAll(async () => {
      const { url, drop: dropDatabase } = await database();
      drop = dropDatabase;
      // Every request comes from 127.0.0.1: the races, not the limit per address, are measured.
      server = await startTestServer({ hasher }, { databaseUrl: url, settings: { RESET_REQUESTS_PER_IP: 10_000 } });
    });
    afterAll(async () => {
      await server?.close();
      await drop?.();
    });

    const call = (method: string, fields: Record<string, string>) => fetch(`${server.url}/reset_password`, { method, ...form(fields) });

    async function registered(): Promise<string> {
      const email = `race${++n}@example.com`;
      expect((await fetch(`${server.url}/users`, { method: 'POST', ...form({ email, password: 'b4l0u' }) })).status).toBe(200);
      return email;
    }

    async function token(email: string): Promise<string> {
      return String(((await (await call('POST', { email })).json()) as { reset_token: string }).reset_token);
    }

    it(`lets exactly one of two concurrent PUTs with one token through (${ROUNDS} rounds at once)`, async () => {
      const rounds = await Promise.all(
        Array.from({ length: ROUNDS }, async () => {
          const email = await registered();
          const resetToken = await token(email);
          const [a, b] = await Promise.all(
            ['first-pw', 'second-pw'].map((new_password) => call('PUT', { email, reset_token: resetToken, new_password })),
          );
          const statuses = [a!.status, b!.status];
          const winner = a!.status === 200 ? 'first-pw' : 'second-pw';
          const login = await fetch(`${server.url}/sessions`, { method: 'POST', ...form({ email, password: winner }) });
          return { statuses: statuses.sort(), winnerLogsIn: login.status === 200 };
        }),
      );
      expect(rounds.map((round) => round.statuses)).toEqual(Array.from({ length: ROUNDS }, () => [200, 403]));
      expect(rounds.every((round) => round.winnerLogsIn)).toBe(true);
    });

    it('keeps a token issued while an older one is being used (5 rounds)', async () => {
      for (let round = 0; round < 5; round++) {
        const email = await registered();
        const older = await token(email);
        const held = hasher.hold();
        const inFlight = call('PUT', { email, reset_token: older, new_password: 'from-older' });
        await held.entered;
        const newer = await token(email);
        held.release();
        expect((await inFlight).status).toBe(200);
        expect((await call("PUT", { email, reset_token: newer, new_password: 'from-newer' })).status).toBe(200);
      }
    });
  });
}
