import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../src/logger';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk, _encoding, done) {
      text += String(chunk);
      done();
    },
  });
  return { stream, lines: () => text.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes one JSON object a line with level, ISO time, service and message', () => {
    const { stream, lines } = capture();
    createLogger('info', stream).info({ route: '/' }, 'hello');
    expect(lines()).toEqual([{ level: 30, time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), service: 'latchkey', pid: process.pid, route: '/', msg: 'hello' }]);
  });

  it('replaces secret fields should a line ever carry one', () => {
    const { stream, lines } = capture();
    createLogger('info', stream).info({
      password: 'p1',
      body: { new_password: 'p2', reset_token: 't1', email: 'a@example.com' },
      req: { headers: { cookie: 'session_id=s1', authorization: 'Bearer t2', 'set-cookie': 'session_id=s2' } },
    });
    const text = JSON.stringify(lines());
    for (const secret of ['p1', 'p2', 't1', 's1', 't2', 's2']) expect(text).not.toContain(secret);
    expect(text).toContain('a@example.com');
  });
});
