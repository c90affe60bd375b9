import type { Context } from 'koa';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { DomainError, NotAuthenticatedError, RetryLaterError } from '@latchkey/domain';
import type { AuthService, AuthenticatedSession, ClientContext } from '@latchkey/domain';
import { clientContext } from '../client-context';
import type { CookieSettings } from '../cookies';
import { SESSION_COOKIE, clearCookie, readCookie } from '../cookies';
import { readSession } from '../session';
import type { Catalog } from './catalogs';
import { CATALOGS } from './catalogs';
import type { FormBinding } from './form-tokens';
import { FORM_TOKEN_FIELD, formToken, validFormToken } from './form-tokens';
import type { Language } from './languages';
import { chooseLanguage } from './languages';
import type { PageSettings } from './page-settings';
import { refusalStatus, refusalText } from './refusals';
import { DEFAULT_LANDING, allowedReturnTo } from './return-to';
import type { Frame, PagePlace } from './views/frame';
import { MessageView } from './views/recovery';

/** What the pages are built from. */
export interface PagesDeps {
  auth: AuthService;
  cookie: CookieSettings;
  settings: PageSettings;
  returnToOrigins: ReadonlySet<string>;
}

/**
 * One request to a page: its language and catalog, the signed-in session when the route
 * reads it, the posted fields, form tokens, and the ways a page answers (render, redirect).
 */
export class PageRequest {
  readonly lang: Language;
  readonly t: Catalog;

  constructor(
    readonly ctx: Context,
    readonly deps: PagesDeps,
    /** The session, for a route that reads it; null when none (or the route does not read it). */
    readonly signedIn: AuthenticatedSession | null,
  ) {
    this.lang = chooseLanguage(ctx, deps.cookie);
    this.t = CATALOGS[this.lang];
  }

  get auth(): AuthService {
    return this.deps.auth;
  }

  get settings(): PageSettings {
    return this.deps.settings;
  }

  /** A posted field's text; '' when absent or not text. */
  field(name: string): string {
    const value = (this.ctx.request.body as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value : '';
  }

  /** A query parameter's text; '' when absent or repeated. */
  query(name: string): string {
    const value = this.ctx.query[name];
    return typeof value === 'string' ? value : '';
  }

  client(): ClientContext {
    return clientContext(this.ctx);
  }

  token(binding: FormBinding): string {
    return formToken(this.ctx, binding, this.deps.cookie);
  }

  postedTokenIsValid(binding: FormBinding): boolean {
    return validFormToken(this.ctx, binding, this.field(FORM_TOKEN_FIELD), this.deps.cookie);
  }

  /** The return_to to carry in a form: an allowed one, else none. */
  returnTo(value: string): string | undefined {
    return allowedReturnTo(value, this.deps.returnToOrigins);
  }

  /** Where to go after signing in: the allowed return_to, else the account page. */
  landing(returnTo: string): string {
    return this.returnTo(returnTo) ?? DEFAULT_LANDING;
  }

  frame(here: PagePlace): Frame {
    const { appName, logoUrl } = this.deps.settings;
    return { t: this.t, lang: this.lang, appName, logoUrl, here, signOutToken: this.signedIn ? this.token('session') : undefined };
  }

  async render(view: JSX.Element, status = 200): Promise<void> {
    const html = String(await view);
    this.ctx.status = status;
    this.ctx.type = 'text/html; charset=utf-8';
    this.ctx.body = `<!doctype html>\n${html}`;
  }

  /** See other: a relative location, so that a proxy's path prefix is kept. */
  redirect(location: string): void {
    this.ctx.status = 303;
    this.ctx.redirect(location);
    this.ctx.status = 303;
  }

  /** The status of a refusal shown on a page, and its Retry-After. */
  refused(error: DomainError): number {
    if (error instanceof RetryLaterError) this.ctx.set('Retry-After', String(error.retryAfterSeconds));
    return refusalStatus(error);
  }

  /** A post whose form token is missing or wrong: refused, with a way back. */
  async formExpired(back: string): Promise<void> {
    this.token('browser');
    const link = { href: back, text: this.t.titles[titleOf(back)] };
    await this.render(<MessageView frame={this.frame({ path: back })} title={this.t.titles.formExpired} text={this.t.text.formExpired} link={link} />, 403);
  }

  /** What a page shows when it could not do its work: a refusal's text, or the service's fault (logged). */
  async failure(error: unknown): Promise<void> {
    const frame = this.frame({ path: 'account' });
    // A refusal, or an outage that says when to come back: the reader is told which.
    if (error instanceof DomainError && (refusalStatus(error) < 500 || error instanceof RetryLaterError)) {
      await this.render(<MessageView frame={frame} title={this.t.titles.failure} text={refusalText(error, this.t)} />, this.refused(error));
      return;
    }
    this.ctx.app.emit('error', error, this.ctx);
    await this.render(<MessageView frame={frame} title={this.t.titles.failure} text={this.t.text.failure} />, 500);
  }
}

function titleOf(path: string): 'login' | 'signup' | 'forgot' | 'reset' | 'verify' | 'account' {
  return (['login', 'signup', 'forgot', 'reset', 'verify'] as const).find((name) => name === path) ?? 'account';
}

/**
 * The signed-in session of a page that reads one, through the API's one session step. A
 * cookie that opens nothing is cleared and counts as none: a page then offers to sign in.
 */
export async function pageSession(ctx: Context, deps: PagesDeps): Promise<AuthenticatedSession | null> {
  if (readCookie(ctx, SESSION_COOKIE) === undefined) return null;
  try {
    await readSession(ctx, deps.auth, 'required');
    return (ctx.state as { auth: AuthenticatedSession }).auth;
  } catch (error) {
    if (!(error instanceof NotAuthenticatedError)) throw error;
    clearCookie(ctx, SESSION_COOKIE, deps.cookie);
    return null;
  }
}
