import type { Config } from '@latchkey/runtime';
import { relyingParty } from '@latchkey/runtime';

export interface ContractModeSetting {
  /** The setting as it is, e.g. `COOKIE_SECURE=false`. */
  setting: string;
  /** What it leaves open, and the setting that closes it. */
  advice: string;
}

/**
 * Defaults keep the HTTP contract of the original service; in production each of these is
 * a risk an operator should choose knowingly. Empty outside production.
 */
export function contractModeSettings(config: Config): ContractModeSetting[] {
  if (config.NODE_ENV !== 'production') return [];
  const found: ContractModeSetting[] = [];
  if (config.RESET_TOKEN_DELIVERY === 'response') {
    found.push({ setting: 'RESET_TOKEN_DELIVERY=response', advice: 'whoever knows an email can reset its password; set RESET_TOKEN_DELIVERY=email' });
  }
  if (!config.COOKIE_SECURE) {
    found.push({ setting: 'COOKIE_SECURE=false', advice: 'the session cookie also travels over plain HTTP; set COOKIE_SECURE=true behind HTTPS' });
  }
  if (config.PASSWORD_MIN_LENGTH < 8) {
    found.push({ setting: `PASSWORD_MIN_LENGTH=${config.PASSWORD_MIN_LENGTH}`, advice: 'short passwords are accepted; set PASSWORD_MIN_LENGTH=8 or more' });
  }
  if (['0.0.0.0', '::'].includes(config.HOST) && !config.TRUST_PROXY) {
    found.push({
      setting: `HOST=${config.HOST} without TRUST_PROXY`,
      advice: 'clients reach the service directly, without TLS; behind a proxy set TRUST_PROXY=true (and HOST=127.0.0.1 when the proxy runs on this host)',
    });
  }
  if (!config.PUBLIC_URL && (config.HOSTED_PAGES || !config.JWT_ISSUER)) {
    found.push({
      setting: 'PUBLIC_URL unset',
      advice: 'emails carry bare tokens instead of links to the pages, and signed tokens name whatever host each request reached; set PUBLIC_URL=https://… (the address people reach the service at)',
    });
  }
  if (!relyingParty(config)) {
    found.push({
      setting: 'PUBLIC_URL and WEBAUTHN_RP_ID unset',
      advice: 'passkeys are off (their routes answer 501 passkeys_unconfigured; a PUBLIC_URL on an IP address gives no RP ID, browsers refuse one); set PUBLIC_URL=https://… or WEBAUTHN_RP_ID',
    });
  } else if (config.ENCRYPTION_KEYS.length === 0) {
    found.push({
      setting: 'ENCRYPTION_KEYS unset with passkeys',
      advice: 'the stand-in passkey ids answered for unknown emails differ between instances and restarts, which tells them from real accounts; set ENCRYPTION_KEYS',
    });
  }
  return found;
}
