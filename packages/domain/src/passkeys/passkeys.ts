import { createHmac, randomBytes } from 'node:crypto';
import type { AuditRecorder } from '../audit/audit-recorder';
import type { ClientContext } from '../kernel/client-context';
import type { Clock } from '../kernel/clock';
import { parseEmailOrNull } from '../kernel/email';
import { DependencyUnavailableError, NoResultFound } from '../kernel/errors';
import { digestSecret, newSecret } from '../kernel/secrets';
import type { LoginResult } from '../login/login-flow';
import type { LoginStep } from '../login/login-step';
import type { LoginAttempt, LoginThrottle } from '../login/login-throttle';
import type { AuthEventType } from '../ports/audit-log';
import { NoPendingLoginError } from '../second-factor/second-factor-errors';
import type { SecondFactorCapability } from '../second-factor/unconfigured-second-factors';
import type { SessionManager } from '../sessions/session-manager';
import type { AuthenticatedSession } from '../sessions/session-repository';
import { findUserOrNull } from '../users/find-user';
import type { User } from '../users/user';
import { normalizeEmail } from '../users/user';
import type { UserRepository } from '../users/user-repository';
import type { WebhookEvents } from '../webhooks/webhook-events';
import type { Passkey, PasskeyChallenge, PasskeySettings } from './passkey';
import { CREDENTIAL_ID_MAX, DEFAULT_PASSKEY_SETTINGS, TRANSPORTS_MAX, TRANSPORT_MAX, challengeKey, hasUsablePassword, newPasskeyId, passkeyName } from './passkey';
import {
  InvalidPasskeyError,
  LastSignInMethodError,
  NoPasskeyCeremonyError,
  PasskeysUnconfiguredError,
  PasskeyExistsError,
  PasskeyLimitError,
  StepUpRequiredError,
  UnknownPasskeyError,
} from './passkey-errors';
import type { PasskeyCeremonyThrottle } from './passkey-ceremony-throttle';
import type { PasskeyChallengeStore, PasskeyRepository } from './passkey-repository';
import type { CredentialDescriptor, WebAuthnCeremony, WebAuthnJson } from './webauthn-ceremony';

/** The storage, ceremony and settings a deployment gives passkeys. */
export interface PasskeyDeps {
  passkeys: PasskeyRepository;
  challenges: PasskeyChallengeStore;
  /** The relying party's ceremonies; without one (no RP ID configured) every ceremony is refused with PasskeysUnconfiguredError, while stored passkeys can still be listed and removed. */
  ceremony?: WebAuthnCeremony;
  /**
   * A server secret of at least 32 bytes: WebAuthn user handles and the stand-in credential
   * ids of unknown emails are HMACs under it, the same on every instance.
   */
  idKey: Uint8Array;
  settings?: Partial<PasskeySettings>;
  /** Bounds the sign-in ceremonies (challenge rows) of each client address; none when absent. */
  ceremonyThrottle?: PasskeyCeremonyThrottle;
}

interface Services {
  users: UserRepository;
  sessions: SessionManager;
  audit: AuditRecorder;
  clock: Clock;
  secondFactor: SecondFactorCapability;
  /** The owner's current password, counted as a login (WrongPasswordError). */
  checkPassword(user: User, password: string, client: ClientContext): Promise<void>;
  /** The login steps after the password: a passkey sign-in passes them too. */
  steps: readonly LoginStep[];
  throttle?: LoginThrottle;
  events?: WebhookEvents;
}

/** Options for the browser, and the handle that ties the ceremony to this client (a cookie). */
export interface SignInCeremony {
  options: WebAuthnJson;
  /** Given to the client once (the ceremony cookie), stored only as a digest. */
  handle: string;
  expiresInSeconds: number;
}

/** Stand-in credentials answered for an email without passkeys: as many as a real account might have. */
const STAND_INS_MAX = 2;
const STAND_IN_TRANSPORTS = ['hybrid', 'internal'];
/** An id no account has (ids start at 1). */
const NO_USER = 0;

/**
 * Passkeys (WebAuthn): registering one while signed in (after a step-up), listing,
 * renaming and removing them, signing in with one (discoverable, or for an email), and
 * using one as the second factor of a login whose password was right.
 */
export class Passkeys {
  readonly settings: PasskeySettings;

  constructor(
    private readonly deps: PasskeyDeps,
    private readonly services: Services,
  ) {
    if (deps.idKey.length < 32) throw new TypeError('The passkeys id key must have at least 32 bytes');
    this.settings = { ...DEFAULT_PASSKEY_SETTINGS, ...deps.settings };
  }

  /** Whether ceremonies can run (a relying party is configured). */
  get configured(): boolean {
    return this.deps.ceremony !== undefined;
  }

  list(userId: number): Promise<Passkey[]> {
    return this.deps.passkeys.listForUser(userId);
  }

  /**
   * Creation options for a new passkey of the signed-in user, its challenge bound to this
   * session. A session opened by a login within stepUpMs is its own step-up; an older one
   * needs the current password.
   */
  async registrationOptions(found: AuthenticatedSession, password: string | undefined, client: ClientContext = {}): Promise<WebAuthnJson> {
    this.ceremony();
    await this.stepUp(found, password, client);
    const { user } = found;
    const challenge = await this.newChallenge(challengeKey('registration', found.session.id), user.id, false);
    return this.ceremony().registrationOptions({
      userHandle: this.userHandle(user.id),
      userName: user.email,
      challenge: challenge.challenge,
      exclude: descriptors(await this.deps.passkeys.listForUser(user.id)),
      timeoutMs: this.settings.challengeTtlMs,
    });
  }

  /** Verifies the attestation against this session's challenge (used up) and stores the passkey. */
  async register(found: AuthenticatedSession, response: WebAuthnJson, name: string | undefined, client: ClientContext = {}): Promise<Passkey> {
    this.ceremony();
    const { user } = found;
    const challenge = await this.deps.challenges.take(challengeKey('registration', found.session.id), this.now());
    if (!challenge || challenge.userId !== user.id) throw new NoPasskeyCeremonyError();
    const verified = await this.ceremony().verifyRegistration(response, challenge.challenge);
    if (!verified || verified.credentialId.length > CREDENTIAL_ID_MAX) {
      await this.record('passkey_refused', client, user);
      throw new InvalidPasskeyError();
    }
    const count = (await this.deps.passkeys.listForUser(user.id)).length;
    const passkey: Passkey = {
      id: newPasskeyId(),
      userId: user.id,
      credentialId: verified.credentialId,
      publicKey: verified.publicKey,
      counter: verified.counter,
      transports: verified.transports.filter((t) => t.length <= TRANSPORT_MAX).slice(0, TRANSPORTS_MAX),
      name: passkeyName(name, `Passkey ${count + 1}`),
      deviceType: verified.deviceType,
      backedUp: verified.backedUp,
      createdAt: this.now(),
      lastUsedAt: null,
    };
    const added = await this.services.events?.prepare('passkey.added');
    const outcome = await this.deps.passkeys.add(passkey, this.settings.perUserMax, added?.messages({ user_id: user.id, email: user.email, passkey_id: passkey.id, name: passkey.name }));
    if (outcome === 'limit') throw new PasskeyLimitError(this.settings.perUserMax);
    if (outcome === 'duplicate') throw new PasskeyExistsError();
    added?.committed();
    await this.record('passkey_added', client, user);
    return passkey;
  }

  async rename(userId: number, idOrCredentialId: string, name: string): Promise<Passkey> {
    const passkey = await this.deps.passkeys.findForUser(userId, idOrCredentialId);
    const renamed = passkeyName(name, passkey?.name ?? '');
    if (!passkey || !(await this.deps.passkeys.rename(userId, passkey.id, renamed))) throw new UnknownPasskeyError();
    return { ...passkey, name: renamed };
  }

  /** The owner removes a passkey, after the same step-up as registering one. */
  async remove(found: AuthenticatedSession, idOrCredentialId: string, password: string | undefined, client: ClientContext = {}): Promise<Passkey> {
    await this.stepUp(found, password, client);
    const passkey = await this.deps.passkeys.findForUser(found.user.id, idOrCredentialId);
    if (!passkey) throw new UnknownPasskeyError();
    return this.removeOf(found.user, passkey, 'owner', client);
  }

  /** An operator removes a passkey by its id or credential id; null when none has it. */
  async removeByAdmin(idOrCredentialId: string, client: ClientContext = {}): Promise<Passkey | null> {
    const passkey = await this.deps.passkeys.findAny(idOrCredentialId);
    const user = passkey && (await this.findUser(passkey.userId));
    if (!passkey || !user) return null;
    return this.removeOf(user, passkey, 'admin', client);
  }

  /**
   * Request options for a sign-in. Without an email: any discoverable credential. With one:
   * that account's credentials, and for an email without any (no account, or no passkey)
   * stand-ins derived from the email, so that the answer tells nothing of the account.
   */
  async signInOptions(email: string | undefined, client: ClientContext = {}): Promise<SignInCeremony> {
    this.ceremony();
    await this.deps.ceremonyThrottle?.count(client);
    const handle = newSecret();
    let allow: CredentialDescriptor[] = [];
    let userId: number | null = null;
    if (email !== undefined) {
      const address = parseEmailOrNull(email);
      const user = address === null ? null : await findUserOrNull(this.services.users, { email: address });
      // The same queries for an unknown email: a list that no account owns.
      const owned = descriptors(await this.deps.passkeys.listForUser(user?.id ?? NO_USER));
      userId = user?.id ?? null;
      allow = owned.length > 0 ? owned : this.standIns(email);
    }
    const challenge = await this.newChallenge(challengeKey('sign_in', digestSecret(handle)), userId, email !== undefined);
    const options = await this.ceremony().authenticationOptions({ challenge: challenge.challenge, allow, timeoutMs: this.settings.challengeTtlMs });
    return { options, handle, expiresInSeconds: Math.ceil(this.settings.challengeTtlMs / 1000) };
  }

  /**
   * Signs in with a passkey: the ceremony of `handle` is used up, the assertion verified,
   * the counter moved forward in one conditional step, and a session opened as a password
   * login opens one. A user with a second factor whose assertion carried no user
   * verification gets a pending login instead (SecondFactorRequiredError), as after a
   * password. Failures count against the client's address and, when the credential is an
   * account's, that account (the login throttle).
   */
  async signIn(handle: string, response: WebAuthnJson, client: ClientContext = {}): Promise<LoginResult> {
    this.ceremony();
    const passkey = await this.passkeyOf(response);
    const owner = passkey && (await this.findUser(passkey.userId));
    const attempt = await this.reserve(owner?.email, client);
    try {
      const challenge = await this.deps.challenges.take(challengeKey('sign_in', digestSecret(handle)), this.now());
      if (!challenge) return await this.refuse(new NoPasskeyCeremonyError(), client, owner);
      if (!passkey || !owner || (challenge.scoped && challenge.userId !== owner.id)) return await this.refuse(new InvalidPasskeyError(), client, owner);
      const userVerified = await this.verifyUse(passkey, response, challenge, owner, client);
      for (const step of this.services.steps) {
        // A passkey with user verification is two factors in one: the device and its PIN or biometric.
        if (step.name === 'second_factor' && userVerified) continue;
        const verdict = await step.decide(owner, client);
        if (verdict.kind === 'refuse') {
          await this.services.audit.record(verdict.event, client, { userId: owner.id, email: owner.email });
          throw new InvalidPasskeyError();
        }
        if (verdict.kind === 'challenge') {
          await attempt?.succeeded();
          throw await verdict.start();
        }
      }
      const opened = await this.services.sessions.open(owner, client, 'passkey');
      if (!opened) return await this.refuse(new InvalidPasskeyError(), client, owner);
      await attempt?.succeeded();
      await this.services.audit.record('login_succeeded', client, { userId: owner.id, email: owner.email });
      return { user: owner, sessionId: opened.secret, session: opened.session };
    } catch (error) {
      if (error instanceof DependencyUnavailableError) await attempt?.abandoned();
      throw error;
    }
  }

  /** Request options for the second factor of a pending login: its user's credentials, the challenge bound to the pending login. */
  async secondFactorOptions(pendingToken: string): Promise<WebAuthnJson> {
    this.ceremony();
    const userId = await this.services.secondFactor.pendingUserId(pendingToken);
    if (userId === null) throw new NoPendingLoginError();
    const challenge = await this.newChallenge(challengeKey('second_factor', digestSecret(pendingToken)), userId, true);
    const allow = descriptors(await this.deps.passkeys.listForUser(userId));
    return this.ceremony().authenticationOptions({ challenge: challenge.challenge, allow, timeoutMs: this.settings.challengeTtlMs });
  }

  /**
   * Completes a pending login with a passkey of its user instead of a code: counted as a
   * code is (SECOND_FACTOR_FAILURES_PER_ACCOUNT), and the session opened is `password_passkey`.
   */
  async completeSecondFactor(pendingToken: string, response: WebAuthnJson, client: ClientContext = {}): Promise<LoginResult> {
    this.ceremony();
    const { user, opened } = await this.services.secondFactor.completeLoginWith(
      pendingToken,
      async (userId) => {
        const challenge = await this.deps.challenges.take(challengeKey('second_factor', digestSecret(pendingToken)), this.now());
        const passkey = await this.passkeyOf(response);
        const owner = passkey && passkey.userId === userId ? await this.findUser(userId) : null;
        if (!challenge || challenge.userId !== userId || !passkey || !owner) return false;
        try {
          await this.verifyUse(passkey, response, challenge, owner, client);
          return true;
        } catch (error) {
          if (error instanceof InvalidPasskeyError) return false;
          throw error;
        }
      },
      'password_passkey',
      client,
    );
    return { user, sessionId: opened.secret, session: opened.session };
  }

  /** Deletes at most `limit` challenges whose ceremony has expired; how many. */
  deleteExpiredChallenges(limit: number): Promise<number> {
    return this.deps.challenges.deleteExpired(this.now(), limit);
  }

  /**
   * Verifies an assertion of this passkey against the challenge taken, then moves its counter
   * forward: a counter gone backwards (or repeated) is refused and audited. Whether the user
   * was verified.
   */
  private async verifyUse(passkey: Passkey, response: WebAuthnJson, challenge: PasskeyChallenge, owner: User, client: ClientContext): Promise<boolean> {
    const verified = await this.ceremony().verifyAuthentication(response, challenge.challenge, passkey);
    if (!verified || (this.settings.userVerification === 'required' && !verified.userVerified)) {
      return this.refuse(new InvalidPasskeyError(), client, owner);
    }
    if (!(await this.deps.passkeys.recordUse(passkey.id, verified.newCounter, this.now(), verified.backedUp))) {
      await this.record('passkey_counter_regressed', client, owner);
      throw new InvalidPasskeyError();
    }
    return verified.userVerified;
  }

  private ceremony(): WebAuthnCeremony {
    if (!this.deps.ceremony) throw new PasskeysUnconfiguredError();
    return this.deps.ceremony;
  }

  private async removeOf(user: User, passkey: Passkey, by: 'owner' | 'admin', client: ClientContext): Promise<Passkey> {
    const removed = await this.services.events?.prepare('passkey.removed');
    const outcome = await this.deps.passkeys.remove(
      user.id,
      passkey.id,
      !hasUsablePassword(user),
      removed?.messages({ user_id: user.id, email: user.email, passkey_id: passkey.id, name: passkey.name, by }),
    );
    if (outcome === 'last') throw new LastSignInMethodError();
    if (outcome === null) throw new UnknownPasskeyError();
    removed?.committed();
    await this.record('passkey_removed', client, user);
    return outcome;
  }

  /** A session opened by a login within stepUpMs, or the current password. */
  private async stepUp(found: AuthenticatedSession, password: string | undefined, client: ClientContext): Promise<void> {
    if (password !== undefined) return this.services.checkPassword(found.user, password, client);
    if (this.now() - found.session.createdAt > this.settings.stepUpMs) throw new StepUpRequiredError();
  }

  private async newChallenge(key: string, userId: number | null, scoped: boolean): Promise<PasskeyChallenge> {
    const now = this.now();
    const challenge: PasskeyChallenge = { key, challenge: randomBytes(32).toString('base64url'), userId, scoped, createdAt: now, expiresAt: now + this.settings.challengeTtlMs };
    await this.deps.challenges.put(challenge);
    return challenge;
  }

  /** The stored passkey the assertion names (its `id`, or `rawId`); null for none or a malformed one. */
  private async passkeyOf(response: WebAuthnJson): Promise<Passkey | null> {
    const id = response.id;
    if (typeof id !== 'string' || id.length === 0 || id.length > CREDENTIAL_ID_MAX || !/^[A-Za-z0-9_-]+$/.test(id)) return null;
    return this.deps.passkeys.findByCredentialId(id);
  }

  private async reserve(email: string | undefined, client: ClientContext): Promise<LoginAttempt | undefined> {
    try {
      return await this.services.throttle?.reserve(email, client);
    } catch (error) {
      await this.services.audit.record(error instanceof DependencyUnavailableError ? 'login_unavailable' : 'login_throttled', client, { email });
      throw error;
    }
  }

  private async refuse(error: Error, client: ClientContext, owner: User | null): Promise<never> {
    await this.services.audit.record('passkey_failed', client, { userId: owner?.id, email: owner?.email });
    throw error;
  }

  /** WebAuthn's user handle: stable per account, opaque (an HMAC of the id), never the email. */
  private userHandle(userId: number): string {
    return this.hmac(`user:${userId}`).subarray(0, 32).toString('base64url');
  }

  /** One or two credential ids an account of this email might have, the same at every call and on every instance. */
  private standIns(email: string): CredentialDescriptor[] {
    const normalized = normalizeEmail(email);
    const count = 1 + (this.hmac(`count:${normalized}`)[0]! % STAND_INS_MAX);
    return Array.from({ length: count }, (_, index) => ({
      credentialId: this.hmac(`credential:${index}:${normalized}`).toString('base64url'),
      transports: [...STAND_IN_TRANSPORTS],
    }));
  }

  private hmac(text: string): Buffer {
    return createHmac('sha256', this.deps.idKey).update(text, 'utf8').digest();
  }

  private async findUser(id: number): Promise<User | null> {
    try {
      return await this.services.users.findUserBy({ id });
    } catch (error) {
      if (error instanceof NoResultFound) return null;
      throw error;
    }
  }

  private record(type: AuthEventType, client: ClientContext, user: User): Promise<void> {
    return this.services.audit.record(type, client, { userId: user.id, email: user.email });
  }

  private now(): number {
    return this.services.clock.now();
  }
}

function descriptors(passkeys: readonly Passkey[]): CredentialDescriptor[] {
  return passkeys.map((passkey) => ({ credentialId: passkey.credentialId, transports: passkey.transports }));
}
