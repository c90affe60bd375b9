import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import type { Browser, BrowserContextOptions, Locator, Page } from 'playwright-core';

/** The two viewports every journey runs at: a desktop and a phone (touch, mobile meta viewport). */
export const VIEWPORTS = {
  desktop: { viewport: { width: 1280, height: 800 } },
  phone: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
} satisfies Record<string, BrowserContextOptions>;
export type Viewport = keyof typeof VIEWPORTS;

/** Debian's Chromium (`apt-get install chromium`; tools/ci-services.sh installs it). */
export const CHROMIUM = process.env.LATCHKEY_CHROMIUM ?? '/usr/bin/chromium';

/**
 * Whether the browser tests can run. Without Chromium they are skipped with the reason
 * printed, unless LATCHKEY_REQUIRE_SERVICES=1 (CI), which makes its absence a failure.
 */
export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM)) return true;
  const reason = `no Chromium at ${CHROMIUM} (apt-get install chromium, or set LATCHKEY_CHROMIUM)`;
  if (process.env.LATCHKEY_REQUIRE_SERVICES === '1') throw new Error(`${reason}; LATCHKEY_REQUIRE_SERVICES=1 requires it`);
  console.warn(`SKIPPED: the browser tests of the pages, because ${reason}. Set LATCHKEY_REQUIRE_SERVICES=1 to fail instead.`);
  return false;
}

/**
 * One headless Chromium for the whole suite. Playwright gives it a new, empty profile (user
 * data dir); the flags keep it off the network it would call by itself (this machine has
 * none) and out of the sandbox, which needs privileges a root CI run does not give.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    chromiumSandbox: false,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** Where the tests write their screenshots (never committed): LATCHKEY_SCREENSHOT_DIR, else a folder of the system's temp dir. */
export function screenshotDir(): string {
  const dir = process.env.LATCHKEY_SCREENSHOT_DIR ?? join(tmpdir(), 'latchkey-pages-screenshots');
  mkdirSync(dir, { recursive: true });
  return dir;
}

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/**
 * axe-core's violations on the page as it is now. It is evaluated through the DevTools
 * protocol, which the page's CSP (this origin's script files only) does not govern.
 */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  await page.evaluate(AXE_SOURCE);
  return page.evaluate(async () => {
    interface AxeResults {
      violations: { id: string; impact: string | null; help: string; nodes: { target: string[] }[] }[];
    }
    const axe = (globalThis as unknown as { axe: { run(context: unknown, options: unknown): Promise<AxeResults> } }).axe;
    const results = await axe.run((globalThis as unknown as { document: unknown }).document, { resultTypes: ['violations'] });
    return results.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map((n) => n.target.join(' ')) }));
  });
}

async function isFocused(target: Locator): Promise<boolean> {
  // Runs in the page: its document, not a type this Node program knows.
  return target.evaluate((element) => element === (globalThis as unknown as { document: { activeElement: unknown } }).document.activeElement);
}

/** Presses Tab until the target has the focus: it must be reachable by keyboard, within a bound. */
export async function tabTo(page: Page, target: Locator, most = 80): Promise<void> {
  for (let presses = 0; presses < most; presses++) {
    if (await isFocused(target)) return;
    await page.keyboard.press('Tab');
  }
  if (!(await isFocused(target))) throw new Error(`${target} could not be reached with the Tab key in ${most} presses`);
}

/**
 * Completes a form with the keyboard alone: Tab to each field (found by its visible label,
 * within `scope` when labels repeat on the page), type its value, Tab to the submit button
 * (found by its name), Enter; resolves once the next page has loaded.
 */
export async function completeByKeyboard(page: Page, fields: [label: string, value: string][], submit: string | Locator, scope?: Locator): Promise<void> {
  const within = scope ?? page;
  for (const [label, value] of fields) {
    const input = within.getByLabel(label, { exact: true });
    await tabTo(page, input);
    await page.keyboard.press('ControlOrMeta+A');
    await page.keyboard.type(value);
  }
  const button = typeof submit === 'string' ? within.getByRole('button', { name: submit, exact: true }) : submit;
  await tabTo(page, button);
  await Promise.all([page.waitForEvent('load'), page.keyboard.press('Enter')]);
}
