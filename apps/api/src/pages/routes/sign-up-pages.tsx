import { parseEmailOrNull } from '@latchkey/domain';
import { SESSION_COOKIE, setCookie } from '../../cookies';
import type { PageRequest } from '../page-request';
import { pageRoute } from '../page-route';
import type { PageRoute } from '../page-route';
import { placeRefusal } from '../refusals';
import type { FormErrors } from '../views/forms';
import { CheckEmailView, SignUpView } from '../views/sign-up';

function renderSignUp(page: PageRequest, email: string, returnTo: string, errors?: FormErrors, status = 200): Promise<void> {
  const kept = page.returnTo(returnTo);
  const view = (
    <SignUpView
      frame={page.frame({ path: 'signup', query: { return_to: kept } })}
      token={page.token('browser')}
      email={email}
      returnTo={kept}
      errors={errors}
      passwordMinLength={page.settings.passwordMinLength}
    />
  );
  return page.render(view, status);
}

/** GET/POST /signup. */
export const signUpPages: PageRoute[] = [
  pageRoute({
    method: 'get',
    path: '/signup',
    session: 'optional',
    async handle(page) {
      if (page.signedIn) return page.redirect(page.landing(page.query('return_to')));
      await renderSignUp(page, '', page.query('return_to'));
    },
  }),

  pageRoute({
    method: 'post',
    path: '/signup',
    form: 'browser',
    back: 'signup',
    async handle(page) {
      const email = page.field('email');
      const password = page.field('password');
      const returnTo = page.field('return_to');
      let registered: string;
      try {
        registered = await page.auth.account.signUp(email, password, page.client());
      } catch (error) {
        const { errors, refusal } = placeRefusal(
          error,
          page.t,
          {
            user_already_exists: { field: 'email' },
            invalid_input: emailProblem(email) ? { field: 'email', kind: 'email' } : { field: 'password', kind: 'password' },
          },
          page.settings.passwordMinLength,
        );
        return renderSignUp(page, email, returnTo, errors, page.refused(refusal));
      }
      // With verification required nobody signs in before the link is used (and a taken
      // address reads the same): the page says where the link went.
      if (page.auth.account.verification === 'required') {
        return page.render(<CheckEmailView frame={page.frame({ path: 'signup' })} email={registered} />);
      }
      const result = await page.auth.logins.login(email, password, page.client());
      setCookie(page.ctx, SESSION_COOKIE, result.sessionId, page.deps.cookie);
      page.redirect(page.landing(returnTo));
    },
  }),
];

/** Whether the address is what the refusal is about (else the password is). */
function emailProblem(email: string): boolean {
  return parseEmailOrNull(email) === null;
}
