import { beforeEach, describe, expect, it } from 'vitest';
import { MemoryUserRepository } from '@latchkey/adapters';
import { AuthService } from '../src';
import { FakeClock, FakeHasher, memoryStorage } from './fakes';

const HOUR = 3600_000;

describe('AuthService.hasActiveSession', () => {
  let users: MemoryUserRepository;
  let clock: FakeClock;
  let auth: AuthService;

  beforeEach(async () => {
    users = new MemoryUserRepository();
    clock = new FakeClock();
    auth = new AuthService({ ...memoryStorage(users), hasher: new FakeHasher(), clock });
    await auth.registerUser('bob@example.com', 'right');
  });

  const bob = () => users.findUserBy({ email: 'bob@example.com' });

  it('is false before a login and after the session is destroyed', async () => {
    expect(auth.hasActiveSession(await bob())).toBe(false);
    const { user } = await auth.login('bob@example.com', 'right');
    expect(auth.hasActiveSession(await bob())).toBe(true);
    await auth.destroySession(user.id);
    expect(auth.hasActiveSession(await bob())).toBe(false);
  });

  it('is false once the session has expired, as getUserFromSessionId sees it', async () => {
    const { sessionId } = await auth.login('bob@example.com', 'right');
    clock.advance(24 * HOUR);
    expect(auth.hasActiveSession(await bob())).toBe(false);
    expect(await auth.getUserFromSessionId(sessionId)).toBeNull();
  });

  it('changes nothing stored', async () => {
    await auth.login('bob@example.com', 'right');
    const before = await bob();
    clock.advance(2 * HOUR);
    auth.hasActiveSession(before);
    expect(await bob()).toEqual(before);
  });
});
