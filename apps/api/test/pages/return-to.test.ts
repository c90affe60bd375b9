import { describe, expect, it } from 'vitest';
import { DEFAULT_LANDING, allowedReturnTo, originSet } from '../../src/pages/return-to';
import { RETURN_TO_BYPASSES } from './return-to-bypasses';

const allowed = originSet(['https://allowed.example', 'http://localhost:3000']);

describe('return_to', () => {
  it.each(RETURN_TO_BYPASSES)('refuses %j', (value) => {
    expect(allowedReturnTo(value, allowed)).toBeUndefined();
  });

  it('honours an allowed origin (scheme, host and port alike), as the URL parser spells it', () => {
    expect(allowedReturnTo('https://allowed.example/app?x=1#top', allowed)).toBe('https://allowed.example/app?x=1#top');
    expect(allowedReturnTo('https://allowed.example', allowed)).toBe('https://allowed.example/');
    expect(allowedReturnTo('https://allowed.example:443/', allowed)).toBe('https://allowed.example/');
    expect(allowedReturnTo('HTTPS://Allowed.Example/Path', allowed)).toBe('https://allowed.example/Path');
    expect(allowedReturnTo('http://localhost:3000/done', allowed)).toBe('http://localhost:3000/done');
  });

  it('refuses what is not text, and every target when no origin is allowed', () => {
    expect(allowedReturnTo(['https://allowed.example/'], allowed)).toBeUndefined();
    expect(allowedReturnTo('https://allowed.example/', originSet([]))).toBeUndefined();
    expect(DEFAULT_LANDING).toBe('account');
  });
});
