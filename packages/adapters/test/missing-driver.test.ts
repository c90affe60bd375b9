import { describe, expect, it } from 'vitest';
import { MissingDriverError } from '@latchkey/adapters/knex';
import { requireDriver } from '../src/missing-driver';

describe('requireDriver', () => {
  it('passes for an installed driver', () => {
    expect(() => requireDriver('better-sqlite3', 'a sqlite: database URL')).not.toThrow();
  });

  it('names the package to install when it is missing', () => {
    expect(() => requireDriver('no-such-driver-latchkey', 'a nosuch: database URL')).toThrow(MissingDriverError);
    expect(() => requireDriver('no-such-driver-latchkey', 'a nosuch: database URL')).toThrow(
      'a nosuch: database URL needs the package "no-such-driver-latchkey", which is not installed: npm install no-such-driver-latchkey',
    );
  });
});
