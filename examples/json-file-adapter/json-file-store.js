import { readFile, rename, writeFile } from 'node:fs/promises';
import {
  NoResultFound,
  UserAlreadyExistsError,
  assertValidChanges,
  assertValidFilter,
  checkedPage,
  newUser,
  normalizeEmail,
  userMatches,
} from '@latchkey/domain';

/**
 * Users and their sessions in one JSON file, for a single process. Each change checks and
 * writes the in-memory copy with no await in between (so two requests cannot both win),
 * then the whole file is replaced atomically (written aside, then renamed), one write at a time.
 */
export class JsonFileStore {
  static async open(path) {
    const store = new JsonFileStore(path);
    try {
      Object.assign(store.data, JSON.parse(await readFile(path, 'utf8')));
    } catch (error) {
      if (error.code !== 'ENOENT') throw error;
    }
    return store;
  }

  constructor(path) {
    this.path = path;
    this.data = { nextId: 1, users: [], sessions: [] };
    this.writes = Promise.resolve();
    this.users = new JsonFileUserRepository(this);
    this.sessions = new JsonFileSessionRepository(this);
  }

  /** Resolves once the state as it is now is on disk. */
  save() {
    const text = JSON.stringify(this.data);
    this.writes = this.writes.then(async () => {
      await writeFile(`${this.path}.tmp`, text);
      await rename(`${this.path}.tmp`, this.path);
    });
    return this.writes;
  }

  userById(id) {
    return this.data.users.find((user) => user.id === id);
  }
}

const copy = (row) => ({ ...row });

export class JsonFileUserRepository {
  constructor(store) {
    this.store = store;
  }

  async addUser(email, hashedPassword) {
    this.assertEmailFree(email);
    const user = newUser(this.store.data.nextId++, email, hashedPassword);
    this.store.data.users.push(user);
    await this.store.save();
    return copy(user);
  }

  async findUserBy(filter) {
    assertValidFilter(filter);
    const user = this.store.data.users.find((candidate) => userMatches(candidate, filter));
    if (!user) throw new NoResultFound();
    return copy(user);
  }

  async updateUser(userId, changes) {
    assertValidChanges(changes);
    const user = this.store.userById(userId);
    if (!user) throw new NoResultFound();
    if (changes.email !== undefined) this.assertEmailFree(changes.email, userId);
    Object.assign(user, changes);
    await this.store.save();
  }

  async rehashPassword(userId, currentHash, newHash) {
    const user = this.store.userById(userId);
    if (user?.hashedPassword !== currentHash) return false;
    user.hashedPassword = newHash;
    await this.store.save();
    return true;
  }

  async listUsers(page) {
    const { limit, offset, afterId } = checkedPage(page);
    return this.store.data.users.filter((user) => user.id > afterId).slice(offset, offset + limit).map(copy);
  }

  assertEmailFree(email, exceptId) {
    const key = normalizeEmail(email);
    if (this.store.data.users.some((user) => user.id !== exceptId && normalizeEmail(user.email) === key)) {
      throw new UserAlreadyExistsError(email);
    }
  }
}

export class JsonFileSessionRepository {
  constructor(store) {
    this.store = store;
  }

  async open(session, credential) {
    if (this.store.userById(session.userId)?.hashedPassword !== credential) return false;
    this.store.data.sessions.push(copy(session));
    await this.store.save();
    return true;
  }

  async findBySecretDigest(secretDigest) {
    const session = this.store.data.sessions.find((candidate) => candidate.secretDigest === secretDigest);
    const user = session && this.store.userById(session.userId);
    return session && user ? { session: copy(session), user: copy(user) } : null;
  }

  async touch(sessionId, at, seenBefore) {
    const session = this.store.data.sessions.find((candidate) => candidate.id === sessionId);
    if (!session || session.lastSeenAt >= seenBefore) return;
    session.lastSeenAt = at;
    await this.store.save();
  }

  async listForUser(userId) {
    return this.ofUser(userId).map(copy);
  }

  async end(userId, sessionId) {
    const session = this.ofUser(userId).find((candidate) => candidate.id === sessionId);
    return session ? (await this.remove([session]))[0] : null;
  }

  async endAllBut(userId, keepId) {
    return this.remove(this.ofUser(userId).filter((session) => session.id !== keepId));
  }

  async endAll(userId) {
    return this.remove(this.ofUser(userId));
  }

  async endBeyond(userId, keep) {
    return this.remove(this.ofUser(userId).slice(keep));
  }

  async changePassword(userId, hashedPassword) {
    const user = this.store.userById(userId);
    if (!user) return [];
    user.hashedPassword = hashedPassword;
    return this.remove(this.ofUser(userId));
  }

  async deleteExpired({ createdBefore, lastSeenBefore, limit }) {
    const expired = this.store.data.sessions.filter((session) => session.createdAt <= createdBefore || session.lastSeenAt <= lastSeenBefore);
    return this.remove(expired.slice(0, limit));
  }

  /** Most recently used first; session ids are time-ordered, so the newest wins a tie. */
  ofUser(userId) {
    return this.store.data.sessions
      .filter((session) => session.userId === userId)
      .sort((a, b) => b.lastSeenAt - a.lastSeenAt || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
  }

  async remove(sessions) {
    const gone = new Set(sessions);
    this.store.data.sessions = this.store.data.sessions.filter((session) => !gone.has(session));
    await this.store.save();
    return sessions.map(copy);
  }
}
