import { SecondFactorRequiredError } from '@latchkey/domain';
import type { LoginResult } from '@latchkey/domain';
import { PENDING_LOGIN_COOKIE, SESSION_COOKIE, clearCookie, readCookie, setCookie } from '../../cookies';
import type { PageRequest } from '../page-request';
import { pageRoute } from '../page-route';
import type { PageRoute } from '../page-route';
import { placeRefusal } from '../refusals';
import type { FormErrors } from '../views/forms';
import { pageHref } from '../views/frame';
import { LoginView, SecondFactorView } from '../views/sign-in';

function renderLogin(page: PageRequest, email: string, returnTo: string, errors?: FormErrors, status = 200): Promise<void> {
  const kept = page.returnTo(returnTo);
  const view = (
    <LoginView
      frame={page.frame({ path: 'login', query: { return_to: kept } })}
      token={page.token('browser')}
      email={email}
      returnTo={kept}
      errors={errors}
      offerVerification={page.auth.account.verification !== 'off'}
      passkeys={page.auth.passkeys.configured ? { landing: page.landing(returnTo), codeStep: pageHref({ path: 'login', query: { step: 'code', return_to: kept } }) } : undefined}
    />
  );
  return page.render(view, status);
}

function renderCodeStep(page: PageRequest, returnTo: string, errors?: FormErrors, status = 200): Promise<void> {
  const kept = page.returnTo(returnTo);
  return page.render(<SecondFactorView frame={page.frame({ path: 'login', query: { return_to: kept } })} token={page.token('browser')} returnTo={kept} errors={errors} />, status);
}

function signedIn(page: PageRequest, result: LoginResult, returnTo: string): void {
  setCookie(page.ctx, SESSION_COOKIE, result.sessionId, page.deps.cookie);
  page.redirect(page.landing(returnTo));
}

/** Email and password; for an account with a second factor, the code step of the same sign-in. */
async function passwordStep(page: PageRequest): Promise<void> {
  const email = page.field('email');
  const returnTo = page.field('return_to');
  let result: LoginResult;
  try {
    result = await page.auth.logins.login(email, page.field('password'), page.client());
  } catch (error) {
    if (error instanceof SecondFactorRequiredError) {
      setCookie(page.ctx, PENDING_LOGIN_COOKIE, error.pendingToken, page.deps.cookie, error.expiresInSeconds);
      return renderCodeStep(page, returnTo);
    }
    // The same words for a wrong password and an unknown address: the form says which field it cannot tell.
    const { errors, refusal } = placeRefusal(error, page.t, {});
    return renderLogin(page, email, returnTo, errors, page.refused(refusal));
  }
  signedIn(page, result, returnTo);
}

async function codeStep(page: PageRequest): Promise<void> {
  const returnTo = page.field('return_to');
  const pending = readCookie(page.ctx, PENDING_LOGIN_COOKIE);
  let result: LoginResult;
  try {
    result = await page.auth.logins.completeWithSecondFactor(pending ?? '', page.field('code'), page.client());
  } catch (error) {
    const { errors, refusal } = placeRefusal(error, page.t, { invalid_second_factor_code: { field: 'code' }, invalid_input: { field: 'code' } });
    if (refusal.code === 'invalid_second_factor_code' || refusal.code === 'invalid_input') return renderCodeStep(page, returnTo, errors, page.refused(refusal));
    // The pending login is gone (expired, or ended by wrong codes): start again from the password.
    clearCookie(page.ctx, PENDING_LOGIN_COOKIE, page.deps.cookie);
    return renderLogin(page, '', returnTo, errors, page.refused(refusal));
  }
  clearCookie(page.ctx, PENDING_LOGIN_COOKIE, page.deps.cookie);
  signedIn(page, result, returnTo);
}

/** GET/POST /login and POST /logout. */
export const signInPages: PageRoute[] = [
  pageRoute({
    method: 'get',
    path: '/login',
    session: 'optional',
    async handle(page) {
      if (page.signedIn) return page.redirect(page.landing(page.query('return_to')));
      // A passkey sign-in that still needs the second factor (the script comes here): its pending login is in the cookie.
      if (page.query('step') === 'code' && readCookie(page.ctx, PENDING_LOGIN_COOKIE)) return renderCodeStep(page, page.query('return_to'));
      await renderLogin(page, '', page.query('return_to'));
    },
  }),

  pageRoute({
    method: 'post',
    path: '/login',
    form: 'browser',
    back: 'login',
    handle: (page) => (page.field('step') === 'code' ? codeStep(page) : passwordStep(page)),
  }),

  pageRoute({
    method: 'post',
    path: '/logout',
    session: 'required',
    form: 'session',
    back: 'account',
    async handle(page) {
      // This session only: the account's other devices stay signed in.
      await page.auth.sessions.logout(readCookie(page.ctx, SESSION_COOKIE), page.client());
      clearCookie(page.ctx, SESSION_COOKIE, page.deps.cookie);
      page.redirect('login');
    },
  }),
];
