import { createServer, request } from 'node:http';
import type { IncomingHttpHeaders, OutgoingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { expect } from 'vitest';

/** What the protected application saw of one request. */
export interface Echoed {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** Header names as the proxy sent them, in order, repeated ones included. */
  rawNames: string[];
  body: string;
}

/** The protected application: answers 200 with the request it received, as JSON. */
export async function startEchoUpstream(): Promise<{ port: number; received: Echoed[]; close(): Promise<void> }> {
  const received: Echoed[] = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const echoed = { method: req.method!, url: req.url!, headers: req.headers, rawNames: req.rawHeaders.filter((_, i) => i % 2 === 0), body };
      received.push(echoed);
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(echoed));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    received,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

/** One request as a client writes it, repeated headers included (fetch would merge them). */
export function send(port: number, method: string, path: string, headers: OutgoingHttpHeaders = {}, body?: string): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Waits until something accepts connections on the port, or fails with `why()`. */
export async function waitForPort(port: number, gone: () => boolean, why: () => string): Promise<void> {
  for (let waited = 0; !(await accepting(port)); waited += 50) {
    if (waited > 10_000 || gone()) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function accepting(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.destroy();
      resolve(true);
    });
    socket.on('error', () => resolve(false));
  });
}

/** A user registered and logged in directly at Latchkey: the session cookie and who it is. */
export async function signedIn(latchkey: string, email: string): Promise<{ cookie: string; whoami: { user_id: number; email: string; session_id: string } }> {
  const form = { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ email, password: 'b4l0u' }).toString() };
  expect((await fetch(`${latchkey}/users`, form)).status).toBe(200);
  const login = await fetch(`${latchkey}/sessions`, form);
  const cookie = login.headers.getSetCookie()[0]!.split(';')[0]!;
  const whoami = (await (await fetch(`${latchkey}/sessions/whoami`, { headers: { cookie } })).json()) as { user_id: number; email: string; session_id: string };
  return { cookie, whoami };
}

/** Headers a client sends to pass for someone else, in every spelling a proxy might let through. */
export const FORGED_IDENTITY: OutgoingHttpHeaders = {
  'X-Latchkey-User-Id': ['1', '2'],
  'x-latchkey-email': 'admin@example.com',
  'X-LATCHKEY-SESSION-ID': 'forged',
  // Names with underscores: CGI-style frameworks read them as the dashed ones.
  X_Latchkey_User_Id: '1',
  'X-Latchkey_Email': 'admin@example.com',
  'X-Latchkey-Session_Id': 'forged',
};

/** The identity headers the application received: only Latchkey's, each once. */
export function expectIdentity(echoed: Echoed, whoami: { user_id: number; email: string; session_id: string }): void {
  expect(echoed.headers['x-latchkey-user-id']).toBe(String(whoami.user_id));
  expect(echoed.headers['x-latchkey-email']).toBe(whoami.email);
  expect(echoed.headers['x-latchkey-session-id']).toBe(whoami.session_id);
  const names = echoed.rawNames.map((name) => name.toLowerCase().replaceAll('_', '-')).filter((name) => name.startsWith('x-latchkey-'));
  expect(names.sort()).toEqual(['x-latchkey-email', 'x-latchkey-session-id', 'x-latchkey-user-id']);
}
