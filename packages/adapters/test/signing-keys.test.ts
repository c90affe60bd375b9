import knexFactory from 'knex';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importJWK, jwtVerify } from 'jose';
import type { JWK } from 'jose';
import { createAuth } from '@latchkey/domain';
import type { AuthService, SigningKeyRepository, TokenDeps } from '@latchkey/domain';
import {
  AesGcmSecretBox,
  JoseTokenSigner,
  KnexPasswordResetTokenRepository,
  KnexSessionRepository,
  KnexSigningKeyRepository,
  KnexUserRepository,
  MemorySigningKeyRepository,
  createKnex,
  migrateToLatest,
} from '../src';
import type { Knex } from '../src';
import { checkPostgres, createScratchDatabase } from './real-services';
import type { ScratchDatabase } from './real-services';

// The signing-key repository contract runs on every backend in contracts.test.ts.

const postgres = await checkPostgres();

/** A second pool on the schema of `knex`, as another instance has. */
function secondPool(knex: Knex): Knex {
  return knexFactory({ ...(knex.client as { config: Knex.Config }).config });
}

describe.skipIf(!postgres.available)(`PostgreSQL${postgres.available ? '' : ` (skipped: ${postgres.reason})`}`, () => {
  let database: ScratchDatabase;
  beforeAll(async () => {
    database = await createScratchDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('two instances starting together on one database make one key, publish the same set and verify each other’s tokens', async () => {
    const knex = await database.migratedSchema('two_instances');
    const other = secondPool(knex);
    try {
      const box = new AesGcmSecretBox([Buffer.alloc(32, 7)]);
      const [first, second] = [instance(knex, box), instance(other, box)];
      await Promise.all([first.auth.tokens.prepare(), second.auth.tokens.prepare()]);
      expect(Number(((await knex('signing_keys').count({ n: '*' }).first()) as { n: unknown }).n)).toBe(1);
      const [setA, setB] = await Promise.all([first.auth.tokens.keySet(), second.auth.tokens.keySet()]);
      expect(setA).toEqual(setB);
      const user = await new KnexUserRepository(knex).addUser('both@example.com', 'hash');
      const session = { id: '0192f0c0-0000-7000-8000-000000000001', userId: user.id, secretDigest: 'd'.repeat(64), createdAt: Date.now(), lastSeenAt: Date.now(), ip: null, userAgent: null, strength: 'password' as const };
      const { token } = await second.auth.tokens.issue({ user, session }, 'https://auth.example.com');
      const verified = await jwtVerify(token, await importJWK(setA.keys[0] as JWK), { issuer: 'https://auth.example.com', audience: 'https://auth.example.com' });
      expect(verified.payload.sub).toBe(String(user.id));
    } finally {
      await Promise.all([knex.destroy(), other.destroy()]);
    }
  });
});

function instance(knex: Knex, box: AesGcmSecretBox, keys: SigningKeyRepository = new KnexSigningKeyRepository(knex)): { auth: AuthService } {
  const tokens: TokenDeps = { signer: new JoseTokenSigner(), keys, box, settings: { algorithm: 'EdDSA', ttlMs: 300_000, overlapMs: 600_000 } };
  return {
    auth: createAuth({
      users: new KnexUserRepository(knex),
      sessions: new KnexSessionRepository(knex),
      resetTokens: new KnexPasswordResetTokenRepository(knex),
      hasher: { hash: async () => 'hash', verify: async () => false, needsRehash: () => false },
      tokens,
    }),
  };
}

describe('JoseTokenSigner', () => {
  const signer = new JoseTokenSigner();
  const claims = { iss: 'https://auth.example.com', aud: 'app', sub: '7', email: 'a@example.com', sid: 'sid', amr: ['pwd'], iat: 1_800_000_000, exp: 1_800_000_300 };

  for (const algorithm of ['EdDSA', 'ES256'] as const) {
    it(`makes ${algorithm} keys whose kid is the public key's thumbprint, and signs tokens its public key verifies`, async () => {
      const pair = await signer.generate(algorithm);
      expect(pair.kid).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(pair.publicJwk).toMatchObject({ kid: pair.kid, alg: algorithm, use: 'sig' });
      expect(pair.publicJwk).not.toHaveProperty('d');
      const token = await signer.sign(claims, pair);
      const { payload, protectedHeader } = await jwtVerify(token, await importJWK(pair.publicJwk as JWK), { currentDate: new Date(1_800_000_100_000) });
      expect(protectedHeader).toEqual({ alg: algorithm, kid: pair.kid, typ: 'JWT' });
      expect(payload).toEqual(claims);
      // The private JWK it keeps reads back as the same key.
      expect((await signer.read(pair.privateKey)).publicJwk).toEqual(pair.publicJwk);
    });
  }

  it('reads a configured private JWK, keeping its kid, and refuses what is not an Ed25519 or P-256 private key', async () => {
    const pair = await signer.generate('EdDSA');
    const given = { ...(JSON.parse(pair.privateKey) as object), kid: 'main-2026' };
    expect((await signer.read(JSON.stringify(given))).kid).toBe('main-2026');
    await expect(signer.read('not json')).rejects.toThrow(/private JWK in JSON/);
    await expect(signer.read(JSON.stringify(pair.publicJwk))).rejects.toThrow(/no "d"/);
    await expect(signer.read(JSON.stringify({ kty: 'RSA', n: 'x', e: 'AQAB', d: 'y' }))).rejects.toThrow(/Ed25519 \(OKP\) or P-256/);
    await expect(signer.read(JSON.stringify({ ...given, alg: 'ES256' }))).rejects.toThrow(/signs with EdDSA/);
  });
});

describe('signing keys sealed under ENCRYPTION_KEYS', () => {
  it('stay readable when a new encryption key is put first and the old one kept; a rotation seals the next one with the new key', async () => {
    const keys = new MemorySigningKeyRepository();
    const [oldKey, newKey] = [Buffer.alloc(32, 1), Buffer.alloc(32, 2)];
    const knex = createKnex('sqlite::memory:');
    try {
      await migrateToLatest(knex);
      const before = instance(knex, new AesGcmSecretBox([oldKey]), keys);
      await before.auth.tokens.prepare();
      const user = await new KnexUserRepository(knex).addUser('kept@example.com', 'hash');
      const session = { id: '0192f0c0-0000-7000-8000-000000000002', userId: user.id, secretDigest: 'e'.repeat(64), createdAt: Date.now(), lastSeenAt: Date.now(), ip: null, userAgent: null, strength: 'password' as const };
      const after = instance(knex, new AesGcmSecretBox([newKey, oldKey]), keys);
      expect((await after.auth.tokens.issue({ user, session }, 'https://a.example')).token).toMatch(/^ey/);
      // Without the old key, signing fails with the reason, and the key set is still served.
      const withoutOld = instance(knex, new AesGcmSecretBox([newKey]), keys);
      await expect(withoutOld.auth.tokens.issue({ user, session }, 'https://a.example')).rejects.toThrow(/does not open with ENCRYPTION_KEYS/);
      expect((await withoutOld.auth.tokens.keySet()).keys).toHaveLength(1);
      // An emergency rotation recovers: the new key is sealed with the key given now.
      await withoutOld.auth.tokens.rotate({ immediate: true });
      expect((await withoutOld.auth.tokens.issue({ user, session }, 'https://a.example')).token).toMatch(/^ey/);
      expect(await keys.list()).toHaveLength(1);
    } finally {
      await knex.destroy();
    }
  });
});
