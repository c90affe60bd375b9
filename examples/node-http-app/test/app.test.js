import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createApp } from '../app.js';

let app;
let base;

before(async () => {
  app = await createApp({ databaseUrl: 'sqlite::memory:', bcryptRounds: 4 });
  await new Promise((resolve) => app.server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${app.server.address().port}`;
});
after(() => app.close());

const form = (fields) => ({ method: 'POST', body: new URLSearchParams(fields) });

test('register, log in, read the profile, log out', async () => {
  const credentials = { email: 'ada@example.com', password: 'correct horse' };
  assert.equal((await fetch(`${base}/users`, form(credentials))).status, 201);
  assert.equal((await fetch(`${base}/users`, form(credentials))).status, 409);
  assert.equal((await fetch(`${base}/sessions`, form({ ...credentials, password: 'wrong' }))).status, 401);

  const login = await fetch(`${base}/sessions`, form(credentials));
  assert.equal(login.status, 200);
  const cookie = login.headers.get('set-cookie').split(';')[0];

  const profile = await fetch(`${base}/profile`, { headers: { cookie } });
  assert.deepEqual(await profile.json(), { email: 'ada@example.com' });

  assert.equal((await fetch(`${base}/sessions`, { method: 'DELETE', headers: { cookie } })).status, 204);
  assert.equal((await fetch(`${base}/profile`, { headers: { cookie } })).status, 403);
});
