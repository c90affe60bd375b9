import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '@latchkey/domain';
import { ROOT } from '../server-process';
import { codeBlocks, documentationPages, headingAnchors, linkTargets, pathExists, readPage, resolveLink } from './support/markdown-pages';

const pages = documentationPages();
const readme = pages[0]!;

describe('the documentation', () => {
  it('has every page of docs/ linked from the README', () => {
    const linked = new Set(linkTargets(readme).map((target) => resolveLink(readme, target)?.file));
    const unlinked = pages.slice(1).filter((page) => !linked.has(page.path)).map((page) => page.path);
    expect(unlinked, 'pages of docs/ the README does not link to').toEqual([]);
  });

  it('has every relative link of the README and docs/ lead to a file, and every fragment to a heading', () => {
    const broken: string[] = [];
    for (const page of pages) {
      for (const target of linkTargets(page)) {
        const link = resolveLink(page, target);
        if (!link) continue;
        if (!pathExists(link.file)) broken.push(`${page.path}: ${target} (no ${link.file})`);
        else if (link.fragment !== undefined) {
          if (!link.file.endsWith('.md')) broken.push(`${page.path}: ${target} (a fragment of a file that is not Markdown)`);
          else if (!headingAnchors(readPage(link.file)).has(link.fragment)) broken.push(`${page.path}: ${target} (no such heading)`);
        }
      }
    }
    expect(broken).toEqual([]);
  });

  it('shows, on the operations page, the nginx configuration that tools/test/nginx-proxy.test.ts runs', () => {
    const shown = codeBlocks(readPage('docs/operations.md'), 'nginx');
    expect(shown).toHaveLength(1);
    expect(`${shown[0]}\n`).toBe(readFileSync(join(ROOT, 'tools/nginx/latchkey.conf'), 'utf8'));
  });

  it('shows, on the page for other services, the nginx and Caddy configurations that their forward-auth tests run', () => {
    const page = readPage('docs/other-services.md');
    for (const [lang, file] of [['nginx', 'tools/nginx/forward-auth.conf'], ['caddy', 'tools/caddy/Caddyfile']] as const) {
      const shown = codeBlocks(page, lang);
      expect(shown, lang).toHaveLength(1);
      expect(`${shown[0]}\n`, lang).toBe(readFileSync(join(ROOT, file), 'utf8'));
    }
  });

  it('names the two commands, npm start and npm test, and the first requests on the README\'s first screen', () => {
    const firstScreen = readme.text.split('\n').slice(0, 45).join('\n');
    expect(firstScreen).toMatch(/^npm start\b/m);
    expect(firstScreen).toMatch(/^npm test\b/m);
    expect(firstScreen).toMatch(/^curl .*\/users/m);
    expect(firstScreen).toMatch(/^curl .*-c jar.*\/sessions/m);
    expect(firstScreen).toMatch(/^curl .*-b jar.*\/profile/m);
    expect(firstScreen).toMatch(/^curl .*-X DELETE.*\/sessions/m);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect(Object.keys(scripts)).toEqual(expect.arrayContaining(['start', 'test']));
  });
});

describe('the error codes in docs/api.md', () => {
  it('list every code of the domain with the status the API answers', async () => {
    const { HTTP_STATUS } = await import('../../apps/api/src/http-errors');
    const page = readFileSync(new URL('../../docs/api.md', import.meta.url), 'utf8');
    const documented = [...page.matchAll(/^\| `([a-z_]+)` \| (\d{3}) \|$/gm)].map(([, code, status]) => [code, Number(status)]);
    expect(documented).toEqual(ERROR_CODES.map((code) => [code, HTTP_STATUS[code].status]));
  });
});
