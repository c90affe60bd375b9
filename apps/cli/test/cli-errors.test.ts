import { describe, expect, it } from 'vitest';
import { NoResultFound, UnknownUserError, UserAlreadyExistsError, ValidationError } from '@latchkey/domain';
import {
  CancelledError,
  DatabaseNotReadyError,
  EXIT,
  RefusedError,
  SettingsError,
  UsageError,
  UserNotFoundError,
  toCliFailure,
} from '../src/cli-errors';

describe('toCliFailure', () => {
  it.each([
    [new UsageError('missing EMAIL', 'users show'), EXIT.usage, 'missing EMAIL (run `latchkey users show --help`)'],
    [new UsageError('a command is needed'), EXIT.usage, 'a command is needed (run `latchkey --help`)'],
    [new UserNotFoundError('x@example.com'), EXIT.notFound, 'no user with email x@example.com'],
    [new UnknownUserError(), EXIT.notFound, 'no such user'],
    [new NoResultFound(), EXIT.notFound, 'no such user'],
    [new UserAlreadyExistsError('x@example.com'), EXIT.refused, 'x@example.com is already registered'],
    [new ValidationError('Password is too common; choose another'), EXIT.refused, 'Password is too common; choose another'],
    [new RefusedError('the passwords do not match'), EXIT.refused, 'the passwords do not match'],
    [new SettingsError('Invalid PORT="x": bad'), EXIT.unavailable, 'Invalid PORT="x": bad'],
    [new DatabaseNotReadyError('no database at /x'), EXIT.unavailable, 'no database at /x'],
    [new CancelledError(), EXIT.cancelled, 'cancelled'],
  ])('maps %o', (error, code, message) => {
    expect(toCliFailure(error)).toEqual({ code, message });
  });

  it('keeps the driver part of a failed query, on one line', () => {
    const error = Object.assign(new Error('select `id` from `users` where `id` = 1 - SQLITE_ERROR: no such table: users'), {
      code: 'SQLITE_ERROR',
    });
    expect(toCliFailure(error)).toEqual({ code: EXIT.unavailable, message: 'cannot complete the command: SQLITE_ERROR: no such table: users' });
  });

  it('adds an error code the message lacks and drops any stack or require chain', () => {
    const refused = Object.assign(new Error('connect refused to 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
    expect(toCliFailure(refused).message).toBe('cannot complete the command: connect refused to 127.0.0.1:5432 (ECONNREFUSED)');
    const missing = new Error("Knex: run\n$ npm install pg --save\nCannot find module 'pg'\nRequire stack:\n- /x/knex.js\n    at foo (x.js:1:1)");
    expect(toCliFailure(missing).message).toBe("cannot complete the command: Knex: run $ npm install pg --save Cannot find module 'pg'");
  });
});
