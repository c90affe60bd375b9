import { expect, it } from 'vitest';
import { KnexAccountRepository, KnexPasskeyChallengeStore, KnexPasskeyRepository, KnexSessionRepository, KnexUserRepository, migrationConfig } from '../src';
import { newPasskey, newSession } from '../src/testing';
import { migrateBefore, onEveryDatabase } from './support/migration-databases';

const MIGRATION = '20261203-010-create-passkeys';

onEveryDatabase('migration 010 (passkeys) from the previous release', (open) => {
  it('adds the passkey tables, keeping every row of the previous release; passkeys then work and go with their account; down removes only them', async () => {
    const { knex, close } = await open();
    try {
      await migrateBefore(knex, MIGRATION);
      expect(await knex.schema.hasTable('passkeys')).toBe(false);
      const [{ id }] = (await knex('users')
        .insert({ email: 'kept@example.com', email_normalized: 'kept@example.com', hashed_password: 'hash', created_at: 1 })
        .returning('id')) as Array<{ id: number }>;
      await knex('webhook_endpoints').insert({ url: 'https://hooks.example.com/', events: null, secrets: '[]', created_at: 1 });
      const live = newSession(id, Date.now());
      expect(await new KnexSessionRepository(knex).open(live, 'hash')).toBe(true);
      const [, applied] = (await knex.migrate.up({ ...migrationConfig, name: MIGRATION })) as [number, string[]];
      expect(applied).toEqual([MIGRATION]);
      expect(await knex('users').pluck('email')).toEqual(['kept@example.com']);
      expect(await knex('webhook_endpoints').pluck('url')).toEqual(['https://hooks.example.com/']);
      expect((await new KnexSessionRepository(knex).findBySecretDigest(live.secretDigest))?.session.id).toBe(live.id);

      const passkeys = new KnexPasskeyRepository(knex);
      const passkey = newPasskey(id, { counter: 3 });
      expect(await passkeys.add(passkey, 10)).toBe('added');
      expect(await passkeys.recordUse(passkey.id, 4, 5, true)).toBe(true);
      expect((await passkeys.findByCredentialId(passkey.credentialId))?.publicKey).toEqual(passkey.publicKey);
      const challenges = new KnexPasskeyChallengeStore(knex);
      await challenges.put({ key: `registration:${passkey.id}`, challenge: 'c', userId: id, scoped: true, createdAt: 1, expiresAt: 10 });
      expect(await challenges.take(`registration:${passkey.id}`, 2)).toMatchObject({ userId: id, scoped: true });

      const user = await new KnexUserRepository(knex).findUserBy({ id });
      expect(await new KnexAccountRepository(knex).deleteAccount(user.id, user.email, 'digest')).toBe(true);
      expect(await passkeys.listForUser(id)).toEqual([]);

      await knex.migrate.down(migrationConfig);
      for (const table of ['passkeys', 'passkey_challenges']) expect(await knex.schema.hasTable(table)).toBe(false);
      expect(await knex('webhook_endpoints').pluck('url')).toEqual(['https://hooks.example.com/']);
    } finally {
      await close();
    }
  });
});
