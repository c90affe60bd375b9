/**
 * Rewrites the configuration table of README.md from VARIABLES (packages/runtime/src/config.ts):
 *   npm run docs:config
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withConfigTable } from '@latchkey/runtime';
import { ROOT } from './server-process';

const path = join(ROOT, 'README.md');
const before = readFileSync(path, 'utf8');
const after = withConfigTable(before);
writeFileSync(path, after);
console.log(after === before ? 'README.md configuration table is up to date' : 'README.md configuration table rewritten');
