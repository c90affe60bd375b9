import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CONFIG_TABLE_END, CONFIG_TABLE_START, VARIABLES, loadConfig, withConfigTable } from '../src';

const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');

/** The README's configuration table, read back as name → shown default. */
function readmeRows(): Map<string, string> {
  const table = readme.slice(readme.indexOf(CONFIG_TABLE_START), readme.indexOf(CONFIG_TABLE_END));
  const rows = new Map<string, string>();
  for (const match of table.matchAll(/^\| `([A-Z_]+)` \| ([^|]+) \|/gm)) rows.set(match[1]!, match[2]!.trim());
  return rows;
}

describe('the README configuration table', () => {
  it('is the one generated from VARIABLES (npm run docs:config rewrites it)', () => {
    expect(withConfigTable(readme) === readme, 'README.md is out of date: run npm run docs:config').toBe(true);
  });

  it('lists every variable, in order, and no other', () => {
    expect([...readmeRows().keys()]).toEqual(Object.keys(VARIABLES));
  });

  it('shows the defaults that loadConfig applies', () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    for (const [name, shown] of readmeRows()) {
      const value = defaults[name];
      if (shown.startsWith('`')) expect(shown, name).toBe(`\`${String(value)}\``);
      else if (shown === '(unset)') expect(value, name).toBeUndefined();
      else expect(['(none)', 'CPU cores − 1 (at least 1)'], name).toContain(shown);
    }
  });
});
