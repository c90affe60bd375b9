import { describe, expect, it } from 'vitest';
import { hashConcurrency } from '../src';

describe('hashConcurrency', () => {
  it('keeps hashing one thread short of the libuv pool', () => {
    expect(hashConcurrency(1, {})).toBe(1);
    expect(hashConcurrency(7, {})).toBe(3);
    expect(hashConcurrency(7, { UV_THREADPOOL_SIZE: '16' })).toBe(7);
    expect(hashConcurrency(7, { UV_THREADPOOL_SIZE: '1' })).toBe(1);
  });
});
