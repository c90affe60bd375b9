import type { Context } from 'koa';
import type { CookieSettings } from '../cookies';
import { LANGUAGE_COOKIE, readCookie, setCookie } from '../cookies';

export const LANGUAGES = ['en', 'fr'] as const;
export type Language = (typeof LANGUAGES)[number];

const ONE_YEAR_SECONDS = 365 * 86_400;

function isLanguage(value: unknown): value is Language {
  return typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);
}

/**
 * The reader's language: a `?lang=` switch (kept in a cookie for the next pages), else the
 * cookie, else the best of Accept-Language, else English.
 */
export function chooseLanguage(ctx: Context, cookie: CookieSettings): Language {
  const asked = ctx.query.lang;
  if (isLanguage(asked)) {
    setCookie(ctx, LANGUAGE_COOKIE, asked, cookie, ONE_YEAR_SECONDS);
    return asked;
  }
  const kept = readCookie(ctx, LANGUAGE_COOKIE);
  if (isLanguage(kept)) return kept;
  const accepted = ctx.acceptsLanguages([...LANGUAGES]);
  return isLanguage(accepted) ? accepted : 'en';
}
