import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { packageFile } from '../package-files';

/** A script the pages load from this origin (the CSP's `script-src 'self'`), one level deep like every page. */
export interface PageScript {
  path: string;
  body: string;
  /** The body's digest: the pages name `<path>?v=<version>`, so a long cache never serves an old script. */
  version: string;
}

function pageScript(path: string, body: string): PageScript {
  return { path, body, version: createHash('sha256').update(body).digest('base64url').slice(0, 12) };
}

// The browser side of WebAuthn: @simplewebauthn/browser's own minified UMD bundle (it
// defines `SimpleWebAuthnBrowser`), as the package ships it. Its package exports only its
// entry points, so the bundle is found beside the CommonJS entry.
const webauthnEntry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
const webauthnBundle = readFileSync(join(dirname(webauthnEntry), '..', 'dist', 'bundle', 'index.umd.min.js'), 'utf8');

/** The library the passkey ceremonies run on. */
export const WEBAUTHN_SCRIPT = pageScript('/pages-webauthn.js', webauthnBundle);

/** The pages' own script: the ceremonies of /login and /account, over the JSON API. */
export const PASSKEYS_SCRIPT = pageScript('/pages-passkeys.js', readFileSync(packageFile('assets/pages-passkeys.js'), 'utf8'));

export const PAGE_SCRIPTS: readonly PageScript[] = [WEBAUTHN_SCRIPT, PASSKEYS_SCRIPT];

/** The relative address a page names a script by (`pages-passkeys.js?v=…`). */
export function scriptHref(script: PageScript): string {
  return `${script.path.slice(1)}?v=${script.version}`;
}
