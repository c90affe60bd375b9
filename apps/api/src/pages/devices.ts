import Bowser from 'bowser';
import type { Catalog } from './catalogs';

/** "Chrome 156 on Linux": a session's user agent as its owner recognises the device. */
export function describeDevice(userAgent: string | null, t: Catalog): string {
  if (!userAgent) return t.text.unknownDevice;
  const { browser, os } = Bowser.parse(userAgent);
  if (!browser.name) return t.text.unknownDevice;
  const major = browser.version?.split('.')[0];
  const name = major ? `${browser.name} ${major}` : browser.name;
  return os.name ? t.text.device(name, os.name) : name;
}
