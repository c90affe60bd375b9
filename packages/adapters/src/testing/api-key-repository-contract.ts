import type { ContractTestApi } from './test-api';
import type { ApiKeyRepository } from '@latchkey/domain';
import { ApiKeys, InvalidApiKeyError, ReadOnlyApiKeyError, UnknownApiKeyError } from '@latchkey/domain';

export interface ApiKeyStoreFixture {
  keys: ApiKeyRepository;
  close?: () => Promise<void>;
}

/** The behaviour every ApiKeyRepository adapter must show, through the ApiKeys rules that use it. */
export function apiKeyRepositoryContract({ describe, it, expect, beforeEach, afterEach }: ContractTestApi, name: string, open: () => Promise<ApiKeyStoreFixture>): void {
  describe(`ApiKeyRepository contract: ${name}`, () => {
    let f: ApiKeyStoreFixture;
    let now = 1_000_000;
    const clock = { now: () => now };
    beforeEach(async () => {
      f = await open();
    });
    afterEach(async () => {
      await f.close?.();
    });

    it('stores a digest, never the key; finds a live key by it; revokes it', async () => {
      const keys = new ApiKeys(f.keys, clock);
      const { key, record } = await keys.create('support tool', false);
      const reader = await keys.create('dashboard', true);
      expect(/^lk_[A-Za-z0-9_-]{43}$/.test(key)).toBe(true);
      expect(record).toMatchObject({ name: 'support tool', readOnly: false, lastUsedAt: null, revokedAt: null });
      expect(record.digest).not.toContain(key.slice(3));
      expect((await keys.authenticate(key)).id).toBe(record.id);
      expect((await keys.authenticate(reader.key)).readOnly).toBe(true);
      let refused: unknown;
      try {
        keys.authorizeChange(reader.record);
      } catch (error) {
        refused = error;
      }
      expect(refused).toBeInstanceOf(ReadOnlyApiKeyError);
      keys.authorizeChange(record);
      for (const wrong of [undefined, '', `${key}x`, key.slice(0, -1), 'Bearer']) await expect(keys.authenticate(wrong)).rejects.toBeInstanceOf(InvalidApiKeyError);
      expect((await keys.list()).map((k) => [k.name, k.readOnly, k.lastUsedAt])).toEqual([
        ['support tool', false, now],
        ['dashboard', true, now],
      ]);
      now += 1000;
      await keys.authenticate(key);
      // A use is recorded at most once a minute.
      expect((await keys.list())[0]!.lastUsedAt).toBe(now - 1000);
      await keys.revoke(record.id);
      await expect(keys.authenticate(key)).rejects.toBeInstanceOf(InvalidApiKeyError);
      await expect(keys.revoke(record.id)).rejects.toBeInstanceOf(UnknownApiKeyError);
      expect((await keys.list())[0]!.revokedAt).toBe(now);
      expect((await keys.authenticate(reader.key)).name).toBe('dashboard');
    });
  });
}
