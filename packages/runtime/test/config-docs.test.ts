import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_PAGE, CONFIG_TABLE_END, CONFIG_TABLE_START, VARIABLES, loadConfig, shownDefault, withConfigTable } from '../src';

const root = new URL('../../../', import.meta.url);
const page = readFileSync(new URL(CONFIG_PAGE, root), 'utf8');
const readme = readFileSync(new URL('README.md', root), 'utf8');

/** Rows of a Markdown table that start with a variable's name, read back as name → shown default. */
function rows(table: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const match of table.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)) found.set(match[1]!, match[2]!.trim());
  return found;
}

/** The configuration page's generated table. */
function pageRows(): Map<string, string> {
  return rows(page.slice(page.indexOf(CONFIG_TABLE_START), page.indexOf(CONFIG_TABLE_END)));
}

/** The README's short table of the settings a newcomer needs (its section "Configuration"). */
function readmeRows(): Map<string, string> {
  const section = readme.slice(readme.indexOf('\n## Configuration\n'));
  return rows(section.slice(0, section.indexOf('\n## ', 1)));
}

describe(`the configuration table of ${CONFIG_PAGE}`, () => {
  it('is the one generated from VARIABLES (npm run docs:config rewrites it)', () => {
    expect(withConfigTable(page) === page, `${CONFIG_PAGE} is out of date: run npm run docs:config`).toBe(true);
  });

  it('lists every variable, in order, and no other', () => {
    expect([...pageRows().keys()]).toEqual(Object.keys(VARIABLES));
  });

  it('shows the defaults that loadConfig applies', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const [name, shown] of pageRows()) {
      const value = defaults[name];
      if (shown.startsWith('`')) expect(shown, name).toBe(`\`${String(value)}\``);
      else if (shown === '(unset)') expect(value, name).toBeUndefined();
      else expect(['(none)', 'CPU cores − 1 (at least 1)'], name).toContain(shown);
    }
  });
});

describe('the README configuration summary', () => {
  it('names real variables with the defaults the configuration page shows', () => {
    const summary = readmeRows();
    expect(summary.size).toBeGreaterThanOrEqual(5);
    for (const [name, shown] of summary) {
      expect(Object.keys(VARIABLES), name).toContain(name);
      expect(shown, name).toBe(shownDefault(name as keyof typeof VARIABLES));
    }
  });

  it('links to the configuration page', () => {
    expect(readme).toContain(`](${CONFIG_PAGE})`);
  });
});
