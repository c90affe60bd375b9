import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQuietServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import { codeBlocks, readPage } from './support/markdown-pages';

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];
const curlInstalled = spawnSync('curl', ['--version']).status === 0;

/** `METHOD /path` of every operation the running server's OpenAPI document lists. */
async function servedOperations(url: string): Promise<string[]> {
  const document = (await (await fetch(`${url}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
  return Object.entries(document.paths)
    .flatMap(([path, operations]) => Object.keys(operations).filter((key) => METHODS.includes(key)).map((method) => `${method.toUpperCase()} ${path}`))
    .sort();
}

/** The first column of the API page's table of every route: `` `POST /users` ``. */
function apiPageOperations(): string[] {
  const { text } = readPage('docs/api.md');
  return [...text.matchAll(/^\| `([A-Z]+ \/[^`]*)` \|/gm)].map((match) => match[1]!).sort();
}

/** The README's API table: `| POST | `/users` | … |`. */
function readmeOperations(): string[] {
  const { text } = readPage('README.md');
  return [...text.matchAll(/^\| ([A-Z]+) \| `(\/[^`]*)` \|/gm)].map((match) => `${match[1]} ${match[2]}`).sort();
}

/**
 * The README's first requests, each curl command with what its comment line below shows:
 * a JSON body (`# {...}`, then maybe a note after two spaces), or parts of the answer
 * joined by ` ... ` (`# HTTP/1.1 302 Found ... Location: /`).
 */
function firstRequests(): Array<{ command: string; shown: string[] }> {
  const block = codeBlocks(readPage('README.md'), 'sh').find((code) => code.includes('curl'));
  const lines = (block ?? '').split('\n');
  return lines.flatMap((line, i) => {
    const next = lines[i + 1] ?? '';
    if (!line.startsWith('curl ') || !next.startsWith('# ')) return [];
    return [{ command: line.replace(/\s+#.*$/, ''), shown: next.slice(2).split(/\s{2,}/)[0]!.split(' ... ') }];
  });
}

describe('the docs against a running server', () => {
  let server: ServerProcess | undefined;
  let operations: string[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'latchkey-docs-'));

  beforeAll(async () => {
    server = await startQuietServerProcess({ DATABASE_URL: 'sqlite::memory:' });
    operations = await servedOperations(server.url);
  });

  afterAll(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('read their route lists from a document that lists the contract', () => {
    expect(operations).toEqual(expect.arrayContaining(['POST /users', 'POST /sessions', 'GET /profile', 'DELETE /sessions', 'PUT /reset_password']));
  });

  it('list every operation of the OpenAPI document, and no other, on the API page', () => {
    expect(apiPageOperations()).toEqual(operations);
  });

  it('list every operation of the OpenAPI document, and no other, in the README', () => {
    expect(readmeOperations()).toEqual(operations);
  });

  it.skipIf(!curlInstalled)('answer the README\'s first requests (register, log in with a cookie jar, profile, log out) as it shows', () => {
    const requests = firstRequests();
    expect(requests.map(({ command }) => command).join('\n')).toMatch(/\/users[\s\S]*-c jar[^\n]*\/sessions[\s\S]*-b jar[^\n]*\/profile[\s\S]*DELETE[^\n]*\/sessions/);
    const host = new URL(server!.url).host;
    for (const { command, shown } of requests) {
      const run = spawnSync('sh', ['-c', command.replaceAll('localhost:5000', host)], { cwd: dir, encoding: 'utf8' });
      expect(run.status, command).toBe(0);
      for (const part of shown) expect(run.stdout.replaceAll('\r', ''), command).toContain(part);
    }
  });
});
