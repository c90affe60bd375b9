import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import GithubSlugger from 'github-slugger';
import { Lexer } from 'marked';
import type { Token, Tokens } from 'marked';
import { ROOT } from '../../server-process';

/** A Markdown page of the repository, by its path from the root (`docs/api.md`). */
export interface Page {
  path: string;
  text: string;
  tokens: Token[];
}

export function readPage(path: string): Page {
  const text = readFileSync(join(ROOT, path), 'utf8');
  return { path, text, tokens: Lexer.lex(text) };
}

/** README.md and every page of docs/, the README first. */
export function documentationPages(): Page[] {
  const docs = readdirSync(join(ROOT, 'docs'))
    .filter((name) => name.endsWith('.md'))
    .sort()
    .map((name) => `docs/${name}`);
  return ['README.md', ...docs].map(readPage);
}

/** Every token of the page, nested ones (list items, table cells, link texts) included. */
function* walk(tokens: readonly Token[]): Generator<Token> {
  for (const token of tokens) {
    yield token;
    const nested = token as Partial<Tokens.Generic> & Partial<Tokens.Table> & Partial<Tokens.List>;
    if (nested.tokens) yield* walk(nested.tokens);
    if (nested.items) yield* walk(nested.items);
    if (nested.header) for (const cell of nested.header) yield* walk(cell.tokens);
    if (nested.rows) for (const row of nested.rows) for (const cell of row) yield* walk(cell.tokens);
  }
}

/** The targets of the page's links, as written (code blocks and code spans hold none). */
export function linkTargets(page: Page): string[] {
  return [...walk(page.tokens)].filter((token): token is Tokens.Link => token.type === 'link').map((link) => link.href);
}

/** A relative link's file, from the repository root, and its fragment; undefined for a URL. */
export function resolveLink(page: Page, target: string): { file: string; fragment?: string } | undefined {
  if (/^[a-z][a-z0-9+.-]*:/i.test(target)) return undefined;
  const [path = '', fragment] = target.split('#', 2) as [string, string | undefined];
  const file = path === '' ? page.path : relative(ROOT, resolve(ROOT, dirname(page.path), decodeURIComponent(path)));
  return { file, fragment };
}

export function pathExists(file: string): boolean {
  return existsSync(join(ROOT, file));
}

/** The anchors GitHub gives the page's headings (`## Behind a proxy (nginx)` → `behind-a-proxy-nginx`). */
export function headingAnchors(page: Page): Set<string> {
  const slugger = new GithubSlugger();
  const anchors = new Set<string>();
  for (const token of walk(page.tokens)) {
    if (token.type === 'heading') anchors.add(slugger.slug(plainText((token as Tokens.Heading).tokens)));
  }
  return anchors;
}

function plainText(tokens: readonly Token[]): string {
  return tokens
    .map((token) => {
      const nested = token as Partial<Tokens.Generic>;
      if (nested.tokens && token.type !== 'codespan') return plainText(nested.tokens);
      return 'text' in token ? String(token.text) : '';
    })
    .join('');
}

/** The contents of the page's fenced code blocks in one language. */
export function codeBlocks(page: Page, lang: string): string[] {
  return [...walk(page.tokens)].filter((token): token is Tokens.Code => token.type === 'code' && token.lang === lang).map((code) => code.text);
}
