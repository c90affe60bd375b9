/**
 * Rewrites the configuration table of docs/configuration.md from VARIABLES
 * (packages/runtime/src/config.ts):
 *   npm run docs:config
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONFIG_PAGE, withConfigTable } from '@latchkey/runtime';
import { ROOT } from './server-process';

const path = join(ROOT, CONFIG_PAGE);
const before = readFileSync(path, 'utf8');
const after = withConfigTable(before);
writeFileSync(path, after);
console.log(after === before ? `${CONFIG_PAGE} configuration table is up to date` : `${CONFIG_PAGE} configuration table rewritten`);
