#!/usr/bin/env node
// Compiles the workspace's packages to JavaScript (esbuild: one ES module per entry point,
// shared code split into chunks, dependencies left as imports) and, for the published
// packages, declaration files (tsc). Plain JavaScript so that `npm start` runs it without tsx.
//   node tools/build.mjs [domain|adapters|runtime|api …] [--js-only]
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import process from 'node:process';
import { build } from 'esbuild';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Entry points by output name; `types` when the package is published. */
const TARGETS = {
  domain: { dir: 'packages/domain', entries: { index: 'src/index.ts' }, types: true },
  adapters: {
    dir: 'packages/adapters',
    entries: {
      index: 'src/index.ts',
      memory: 'src/memory/index.ts',
      knex: 'src/knex/index.ts',
      bcrypt: 'src/bcrypt.ts',
      passwords: 'src/passwords.ts',
      redis: 'src/redis/index.ts',
      mail: 'src/mail/index.ts',
      crypto: 'src/crypto/index.ts',
      testing: 'src/testing/index.ts',
    },
    types: true,
  },
  runtime: { dir: 'packages/runtime', entries: { index: 'src/index.ts' }, types: true },
  api: { dir: 'apps/api', entries: { main: 'src/main.ts' }, types: false },
};
// Declarations of a package are compiled against those of the packages it imports.
const ORDER = ['domain', 'adapters', 'runtime', 'api'];

/** A checksum of a package's sources and of this script: equal, the build is up to date. */
function sourceDigest(dir) {
  const hash = createHash('sha256').update(readFileSync(fileURLToPath(import.meta.url)));
  const walk = (folder) => {
    for (const name of readdirSync(folder).sort()) {
      const path = join(folder, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(path).update(readFileSync(path));
    }
  };
  walk(join(ROOT, dir, 'src'));
  return hash.update(readFileSync(join(ROOT, dir, 'package.json'))).digest('hex');
}

/**
 * Runs `step` unless the stamp says it ran on these sources: a second `npm start` (or a
 * server already running from dist/, when a pack builds again) finds its files untouched.
 */
async function unlessFresh(stampFile, digest, step) {
  if (existsSync(stampFile) && readFileSync(stampFile, 'utf8') === digest) return;
  await step();
  mkdirSync(dirname(stampFile), { recursive: true });
  writeFileSync(stampFile, digest);
}

async function buildJs({ dir, entries }) {
  const outdir = join(ROOT, dir, 'dist');
  const { outputFiles } = await build({
    entryPoints: Object.fromEntries(Object.entries(entries).map(([name, file]) => [name, join(ROOT, dir, file)])),
    outdir,
    write: false,
    bundle: true,
    splitting: true,
    // Chunks beside the entries: `new URL('../data/…', import.meta.url)` means the same from each.
    chunkNames: 'shared-[hash]',
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    logLevel: 'warning',
  });
  // Each file replaced whole (written aside, then renamed): a server starting from dist/ while
  // another build runs (npm start beside a pack) never reads half a file.
  mkdirSync(outdir, { recursive: true });
  for (const { path, contents } of outputFiles) {
    writeFileSync(`${path}.${process.pid}.tmp`, contents);
    renameSync(`${path}.${process.pid}.tmp`, path);
  }
  // Chunks of an older build go: their names change with their content.
  const current = new Set(outputFiles.map(({ path }) => path));
  for (const name of readdirSync(outdir)) if (name.startsWith('shared-') && !current.has(join(outdir, name))) rmSync(join(outdir, name), { force: true });
}

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');

function buildTypes({ dir }) {
  rmSync(join(ROOT, dir, 'dist/types'), { recursive: true, force: true });
  execFileSync(process.execPath, [tsc, '-p', join(ROOT, dir, 'tsconfig.build.json')], { stdio: 'inherit' });
  addExtensions(join(ROOT, dir, 'dist/types'));
}

/** Node's ES module resolution (and TypeScript's `nodenext`) wants `./x.js`, not `./x`. */
function addExtensions(folder) {
  for (const name of readdirSync(folder)) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) addExtensions(path);
    else if (name.endsWith('.d.ts')) writeFileSync(path, withExtensions(readFileSync(path, 'utf8'), folder));
  }
}

function withExtensions(source, folder) {
  return source.replace(/(from |import\()(['"])(\.{1,2}\/[^'"]*)\2/g, (whole, keyword, quote, specifier) => {
    if (/\.js$/.test(specifier)) return whole;
    const file = existsSync(join(folder, `${specifier}.d.ts`)) ? `${specifier}.js` : `${specifier}/index.js`;
    return `${keyword}${quote}${file}${quote}`;
  });
}

const args = process.argv.slice(2);
const jsOnly = args.includes('--js-only');
const names = args.filter((arg) => !arg.startsWith('--'));
for (const name of ORDER.filter((n) => names.length === 0 || names.includes(n))) {
  const target = TARGETS[name];
  const digest = sourceDigest(target.dir);
  await unlessFresh(join(ROOT, target.dir, 'dist/.js-stamp'), digest, () => buildJs(target));
  if (!target.types || jsOnly) continue;
  // A package's declarations compile against those of the packages before it.
  for (const typed of ORDER.slice(0, ORDER.indexOf(name) + 1).map((n) => TARGETS[n]).filter((t) => t.types)) {
    await unlessFresh(join(ROOT, typed.dir, 'dist/types/.stamp'), sourceDigest(typed.dir), () => buildTypes(typed));
  }
}
