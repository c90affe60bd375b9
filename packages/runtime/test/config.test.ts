import { describe, expect, it } from 'vitest';
import { ConfigError, emailLinkTemplates, loadConfig, relyingParty } from '../src';

describe('loadConfig', () => {
  it('has defaults that keep the contract working', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 5000,
      HOST: '0.0.0.0',
      DATABASE_URL: 'sqlite:data/latchkey.db',
      BCRYPT_ROUNDS: 12,
      PASSWORD_MIN_LENGTH: 1,
      PASSWORD_BLOCKLIST: true,
      SESSION_TTL_SECONDS: 604800,
      SESSION_IDLE_SECONDS: 86400,
      RESET_TOKEN_TTL_SECONDS: 1800,
      RESET_TOKEN_DELIVERY: 'response',
      MIGRATE_ON_START: true,
      ALLOWED_ORIGINS: [],
    });
    expect(config.HASH_CONCURRENCY).toBeGreaterThanOrEqual(1);
  });

  it('reads values and ignores empty ones', () => {
    const config = loadConfig({ PORT: '8080', COOKIE_SECURE: 'true', ALLOWED_ORIGINS: 'https://a.example, https://b.example', HOST: '' });
    expect(config.PORT).toBe(8080);
    expect(config.COOKIE_SECURE).toBe(true);
    expect(config.ALLOWED_ORIGINS).toEqual(['https://a.example', 'https://b.example']);
    expect(config.HOST).toBe('0.0.0.0');
  });

  it.each([
    [{ PORT: 'http' }, /^Invalid PORT="http": /],
    [{ PORT: '70000' }, /^Invalid PORT="70000"/],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid DATABASE_URL="mysql:\/\/x": use sqlite/],
    [{ BCRYPT_ROUNDS: '8' }, /^Invalid BCRYPT_ROUNDS="8": must be at least 10/],
    [{ COOKIE_SECURE: 'maybe' }, /^Invalid COOKIE_SECURE="maybe": use true or false/],
    [{ PASSWORD_MIN_LENGTH: '20', PASSWORD_MAX_LENGTH: '10' }, /^Invalid PASSWORD_MIN_LENGTH/],
    [{ PASSWORD_MAX_LENGTH: '100' }, /^Invalid PASSWORD_MAX_LENGTH/],
    [{ RESET_TOKEN_DELIVERY: 'email' }, /^Invalid RESET_URL_TEMPLATE="": is required when RESET_TOKEN_DELIVERY=email/],
    [{ RESET_TOKEN_DELIVERY: 'email', NODE_ENV: 'production', RESET_URL_TEMPLATE: 'https://a/{token}' }, /^Invalid SMTP_URL=""/],
    [{ RESET_TOKEN_DELIVERY: 'email', SMTP_URL: 'smtp://127.0.0.1:25', RESET_URL_TEMPLATE: 'https://a/{token}' }, /^Invalid MAIL_FROM=""/],
    [{ RESET_URL_TEMPLATE: 'https://a/' }, /^Invalid RESET_URL_TEMPLATE="https:\/\/a\/": must contain \{token\}/],
    [{ SMTP_URL: 'http://mail' }, /^Invalid SMTP_URL/],
  ])('refuses %o with a one-line message naming the variable', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('prints reset emails to the log in development when no SMTP server is set', () => {
    expect(loadConfig({ RESET_TOKEN_DELIVERY: 'email', RESET_URL_TEMPLATE: 'https://a/{token}' }).SMTP_URL).toBeUndefined();
  });

  it('allows a low bcrypt cost in test mode only', () => {
    expect(loadConfig({ NODE_ENV: 'test', BCRYPT_ROUNDS: '4' }).BCRYPT_ROUNDS).toBe(4);
  });
});

describe('account lifecycle settings', () => {
  it('default to verification off and every notice, and read a list or none', () => {
    expect(loadConfig({})).toMatchObject({ EMAIL_VERIFICATION: 'off', VERIFICATION_TOKEN_TTL_SECONDS: 86_400, EMAIL_TOKENS_PER_USER: 3 });
    expect(loadConfig({}).SECURITY_NOTICES).toEqual(['password_changed', 'email_changed', 'password_reset', 'account_deleted']);
    expect(loadConfig({ SECURITY_NOTICES: 'none' }).SECURITY_NOTICES).toEqual([]);
    expect(loadConfig({ SECURITY_NOTICES: 'account_deleted, password_reset' }).SECURITY_NOTICES).toEqual(['account_deleted', 'password_reset']);
  });

  it('refuses an unknown notice, an unknown mode, a template without {token}, and production verification without SMTP', () => {
    expect(() => loadConfig({ SECURITY_NOTICES: 'password_changed,login' })).toThrow(/^Invalid SECURITY_NOTICES=/);
    expect(() => loadConfig({ EMAIL_VERIFICATION: 'always' })).toThrow(/^Invalid EMAIL_VERIFICATION="always"/);
    expect(() => loadConfig({ VERIFY_URL_TEMPLATE: 'https://app.test/verify' })).toThrow(/must contain \{token\}/);
    expect(() => loadConfig({ NODE_ENV: 'production', EMAIL_VERIFICATION: 'required' })).toThrow(/^Invalid SMTP_URL="": is required when EMAIL_VERIFICATION is not off/);
    expect(() => loadConfig({ NODE_ENV: 'production', EMAIL_VERIFICATION: 'optional', SMTP_URL: 'smtp://mail:25' })).toThrow(/^Invalid MAIL_FROM=/);
  });
});

describe('hosted pages settings', () => {
  it('serve the pages by default, branded Latchkey, sending nobody elsewhere', () => {
    expect(loadConfig({})).toMatchObject({ HOSTED_PAGES: true, APP_NAME: 'Latchkey', ACCENT_COLOR: '#1d4ed8', RETURN_TO_ORIGINS: [] });
    expect(loadConfig({}).PUBLIC_URL).toBeUndefined();
    expect(loadConfig({ HOSTED_PAGES: 'off' }).HOSTED_PAGES).toBe(false);
  });

  it.each([
    [{ PUBLIC_URL: 'auth.example.com' }, /^Invalid PUBLIC_URL=/],
    [{ PUBLIC_URL: 'ftp://auth.example.com' }, /^Invalid PUBLIC_URL=/],
    [{ PUBLIC_URL: 'https://auth.example.com/?x=1' }, /^Invalid PUBLIC_URL=.*no query or fragment/],
    [{ RETURN_TO_ORIGINS: 'https://app.example.com/path' }, /^Invalid RETURN_TO_ORIGINS="https:\/\/app.example.com\/path": .* is not an origin/],
    [{ RETURN_TO_ORIGINS: '*' }, /^Invalid RETURN_TO_ORIGINS="\*"/],
    [{ ACCENT_COLOR: 'blue' }, /^Invalid ACCENT_COLOR="blue": use a colour/],
    [{ LOGO_URL: '//cdn.example/logo.svg' }, /^Invalid LOGO_URL=/],
    [{ LOGO_URL: 'javascript:alert(1)' }, /^Invalid LOGO_URL=/],
    [{ LOGO_URL: 'http://cdn.example/logo.svg' }, /^Invalid LOGO_URL=/],
    [{ LOGO_URL: '/logo.svg" onerror="x' }, /^Invalid LOGO_URL=/],
    [{ APP_NAME: ' ' }, /^Invalid APP_NAME=/],
  ])('refuses %o', (env, message) => {
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('link the emails to the pages under PUBLIC_URL, unless a template says otherwise', () => {
    const pages = loadConfig({ PUBLIC_URL: 'https://www.example.com/auth/' });
    expect(emailLinkTemplates(pages)).toEqual({
      reset: 'https://www.example.com/auth/reset?token={token}',
      verify: 'https://www.example.com/auth/verify?token={token}',
      emailChange: 'https://www.example.com/auth/verify?token={token}',
    });
    const own = loadConfig({ PUBLIC_URL: 'https://auth.example.com', RESET_URL_TEMPLATE: 'https://app.example.com/r/{token}' });
    expect(emailLinkTemplates(own).reset).toBe('https://app.example.com/r/{token}');
    expect(emailLinkTemplates(loadConfig({ PUBLIC_URL: 'https://auth.example.com', HOSTED_PAGES: 'false' }))).toEqual({});
    expect(emailLinkTemplates(loadConfig({}))).toEqual({});
  });

  it("take the pages' /reset for the reset link RESET_TOKEN_DELIVERY=email needs", () => {
    expect(loadConfig({ RESET_TOKEN_DELIVERY: 'email', PUBLIC_URL: 'https://auth.example.com' }).RESET_URL_TEMPLATE).toBeUndefined();
    expect(() => loadConfig({ RESET_TOKEN_DELIVERY: 'email', PUBLIC_URL: 'https://auth.example.com', HOSTED_PAGES: 'false' })).toThrow(/^Invalid RESET_URL_TEMPLATE=""/);
  });
});

describe('signed token settings', () => {
  it('default to EdDSA keys stored in the database, 5-minute tokens and a 10-minute overlap, issuer and audience from the request', () => {
    expect(loadConfig({})).toMatchObject({ JWT_ALGORITHM: 'EdDSA', JWT_TTL_SECONDS: 300, JWT_KEY_OVERLAP_SECONDS: 600, JWT_SIGNING_KEYS: [] });
    expect(loadConfig({}).JWT_ISSUER).toBeUndefined();
    expect(loadConfig({}).JWT_AUDIENCE).toBeUndefined();
  });

  it('bound the lifetime and the overlap, and read JWT_SIGNING_KEYS as one private JWK or an array, never echoing it', () => {
    expect(() => loadConfig({ JWT_TTL_SECONDS: '7200' })).toThrow(/^Invalid JWT_TTL_SECONDS="7200"/);
    expect(() => loadConfig({ JWT_KEY_OVERLAP_SECONDS: '60' })).toThrow(/^Invalid JWT_KEY_OVERLAP_SECONDS="60"/);
    expect(() => loadConfig({ JWT_ISSUER: 'auth.example.com' })).toThrow(/^Invalid JWT_ISSUER=/);
    const key = { kty: 'OKP', crv: 'Ed25519', x: 'public-part', d: 'private-part', kid: 'main' };
    expect(loadConfig({ JWT_SIGNING_KEYS: JSON.stringify(key) }).JWT_SIGNING_KEYS).toEqual([JSON.stringify(key)]);
    expect(loadConfig({ JWT_SIGNING_KEYS: JSON.stringify([key, { ...key, kid: 'next' }]) }).JWT_SIGNING_KEYS).toHaveLength(2);
    for (const [value, reason] of [
      ['{"d": "private-part"', 'is not JSON'],
      ['[]', 'holds no key'],
      [JSON.stringify([key, { ...key, d: undefined }]), 'key 2 is not a private Ed25519 (OKP) or P-256 (EC) JWK'],
    ]) {
      expect(() => loadConfig({ JWT_SIGNING_KEYS: value })).toThrow(`Invalid JWT_SIGNING_KEYS=<hidden>: ${reason}`);
    }
  });
});

describe('passkey settings', () => {
  it('take the relying party from PUBLIC_URL unless WEBAUTHN_RP_ID and WEBAUTHN_ORIGINS are set, and none without either', () => {
    expect(relyingParty(loadConfig({}))).toBeUndefined();
    expect(relyingParty(loadConfig({ PUBLIC_URL: 'https://auth.example.com/id', APP_NAME: 'Acme' }))).toEqual({
      id: 'auth.example.com',
      name: 'Acme',
      origins: ['https://auth.example.com'],
      userVerification: 'preferred',
    });
    expect(relyingParty(loadConfig({ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://a.example.com, https://example.com', WEBAUTHN_RP_NAME: 'Acme ID', WEBAUTHN_USER_VERIFICATION: 'required' }))).toEqual({
      id: 'example.com',
      name: 'Acme ID',
      origins: ['https://a.example.com', 'https://example.com'],
      userVerification: 'required',
    });
    expect(relyingParty(loadConfig({ WEBAUTHN_RP_ID: 'example.com' }))?.origins).toEqual(['https://example.com']);
    // Browsers refuse an IP address as an RP ID: passkeys stay off rather than fail in every browser.
    expect(relyingParty(loadConfig({ PUBLIC_URL: 'http://127.0.0.1:8000' }))).toBeUndefined();
    expect(relyingParty(loadConfig({ PUBLIC_URL: 'http://[::1]:8000' }))).toBeUndefined();
    expect(relyingParty(loadConfig({ PUBLIC_URL: 'http://localhost:8000' }))?.id).toBe('localhost');
  });

  it('refuse an origin that is not on the RP ID, or not an origin', () => {
    expect(() => loadConfig({ WEBAUTHN_RP_ID: 'example.com', WEBAUTHN_ORIGINS: 'https://example.org' })).toThrow(/^Invalid WEBAUTHN_ORIGINS=.*not on the RP ID example.com/);
    expect(() => loadConfig({ PUBLIC_URL: 'https://auth.example.com', WEBAUTHN_RP_ID: 'other.example.com' })).toThrow(/^Invalid WEBAUTHN_RP_ID=/);
    expect(() => loadConfig({ WEBAUTHN_ORIGINS: 'https://example.com/path' })).toThrow(/^Invalid WEBAUTHN_ORIGINS=/);
    expect(() => loadConfig({ WEBAUTHN_RP_ID: 'https://example.com' })).toThrow(/^Invalid WEBAUTHN_RP_ID=/);
    expect(() => loadConfig({ WEBAUTHN_RP_ID: '127.0.0.1' })).toThrow(/^Invalid WEBAUTHN_RP_ID=.*IP address/);
  });
});
