import { describe, expect, it } from 'vitest';
import { applyKey } from '../src/password-input';

function type(keys: string): ReturnType<typeof applyKey> {
  let state: ReturnType<typeof applyKey> = { line: '' };
  for (const key of keys) {
    state = applyKey(state.line, key);
    if (state.end) break;
  }
  return state;
}

describe('hidden line editing', () => {
  it('ends the line at Enter, carriage return or newline', () => {
    expect(type('s3cret\r')).toEqual({ line: 's3cret', end: 'enter' });
    expect(type('s3cret\n')).toEqual({ line: 's3cret', end: 'enter' });
  });

  it('erases with Backspace (by character) and Ctrl-U', () => {
    expect(type('abcé\u007f\u007fd\r')).toEqual({ line: 'abd', end: 'enter' });
    expect(type('abc\bd\r')).toEqual({ line: 'abd', end: 'enter' });
    expect(type('wrong\u0015right\r')).toEqual({ line: 'right', end: 'enter' });
    expect(type('\u007f\u007fa\r')).toEqual({ line: 'a', end: 'enter' });
  });

  it('cancels at Ctrl-C, and at Ctrl-D on an empty line', () => {
    expect(type('abc\u0003')).toEqual({ line: '', end: 'cancel' });
    expect(type('\u0004')).toEqual({ line: '', end: 'cancel' });
    expect(type('abc\u0004')).toEqual({ line: 'abc', end: 'enter' });
  });

  it('keeps spaces and non-ASCII text, ignores other control keys', () => {
    expect(type(' a b \t\u0001ü\r')).toEqual({ line: ' a b ü', end: 'enter' });
  });
});
