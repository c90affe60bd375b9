import { afterEach, describe, expect, it } from 'vitest';
import { BcryptPasswordHasher, BoundedPasswordHasher } from '@latchkey/adapters';
import type { TestServer } from './harness';
import { form, sessionCookie, startTestServer } from './harness';

let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function call(method: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(server!.url + path, { method, redirect: 'manual', ...init });
}

describe('admission control of password hashing', () => {
  it('answers a login flood with 503 and Retry-After while sessions keep answering', async () => {
    // Cost 10: each hash lasts long enough for the flood to fill the queue.
    const hasher = new BoundedPasswordHasher(new BcryptPasswordHasher(10), { concurrency: 1, queueMax: 2 });
    server = await startTestServer({ hasher });
    const reader = { email: 'bob@example.com', password: 'b4l0u' };
    // The flood logs in another user: a login replaces that user's one session.
    const flooder = { email: 'eve@example.com', password: 'sw0rdf1sh' };
    for (const user of [reader, flooder]) expect((await call('POST', '/users', form(user))).status).toBe(200);
    const cookie = `session_id=${sessionCookie(await call('POST', '/sessions', form(reader)))}`;

    const flood = Array.from({ length: 30 }, () => call('POST', '/sessions', form(flooder)));
    const profiles = Array.from({ length: 30 }, () => call('GET', '/profile', { headers: { cookie } }));
    const [logins, reads] = await Promise.all([Promise.all(flood), Promise.all(profiles)]);

    expect(reads.map((r) => r.status)).toEqual(Array(30).fill(200));
    const refused = logins.filter((r) => r.status === 503);
    const accepted = logins.filter((r) => r.status === 200);
    expect(refused.length + accepted.length).toBe(30);
    expect(accepted.length).toBeGreaterThanOrEqual(3);
    expect(refused.length).toBeGreaterThanOrEqual(10);
    for (const response of refused) {
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(await response.json()).toEqual({ message: 'server busy; try again later', code: 'overloaded' });
    }
    expect(hasher.load).toEqual({ running: 0, waiting: 0 });
  });

  it('answers 503 to registrations and password resets past the queue too', async () => {
    const hasher = new BoundedPasswordHasher(new BcryptPasswordHasher(10), { concurrency: 1, queueMax: 0 });
    server = await startTestServer({ hasher });
    const registrations = await Promise.all(
      Array.from({ length: 6 }, (_, i) => call('POST', '/users', form({ email: `u${i}@example.com`, password: 'b4l0u' }))),
    );
    expect(registrations.filter((r) => r.status === 503).length).toBeGreaterThanOrEqual(1);
    expect(registrations.filter((r) => r.status === 200).length).toBeGreaterThanOrEqual(1);

    const { email } = (await registrations.find((r) => r.status === 200)!.json()) as { email: string };
    const { reset_token } = (await (await call('POST', '/reset_password', form({ email }))).json()) as {
      reset_token: string;
    };
    const busy = hasher.hash('occupies the only slot');
    const reset = await call('PUT', '/reset_password', form({ email, reset_token, new_password: 'n3w' }));
    expect(reset.status).toBe(503);
    expect(reset.headers.get('retry-after')).toMatch(/^\d+$/);
    await busy;
    const retried = await call('PUT', '/reset_password', form({ email, reset_token, new_password: 'n3w' }));
    expect(retried.status).toBe(200);
  });
});
