import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startQuietServerProcess } from '../server-process';
import type { ServerProcess } from '../server-process';
import { readPage } from './support/markdown-pages';

const METHODS = ['get', 'post', 'put', 'delete', 'patch'];

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

describe('the route lists of the docs', () => {
  let server: ServerProcess | undefined;
  let operations: string[] = [];

  beforeAll(async () => {
    server = await startQuietServerProcess({ DATABASE_URL: 'sqlite::memory:' });
    operations = await servedOperations(server.url);
  });

  afterAll(async () => {
    await server?.stop();
  });

  it('are read from a document that lists the contract', () => {
    expect(operations).toEqual(expect.arrayContaining(['POST /users', 'POST /sessions', 'GET /profile', 'DELETE /sessions', 'PUT /reset_password']));
  });

  it('hold every operation the OpenAPI document lists, and no other, on the API page', () => {
    expect(apiPageOperations()).toEqual(operations);
  });

  it('hold every operation the OpenAPI document lists, and no other, in the README', () => {
    expect(readmeOperations()).toEqual(operations);
  });
});
