import type { PageRequest } from '../page-request';
import { pageRoute } from '../page-route';
import type { PageRoute } from '../page-route';
import { placeRefusal } from '../refusals';
import type { FormErrors } from '../views/forms';
import { ForgotView, ResetDoneView, ResetView } from '../views/recovery';

interface ForgotState {
  email?: string;
  errors?: FormErrors;
  sent?: boolean;
}

function renderForgot(page: PageRequest, state: ForgotState, status = 200): Promise<void> {
  const unavailable = page.settings.resetLinks === undefined;
  return page.render(<ForgotView frame={page.frame({ path: 'forgot' })} token={page.token('browser')} unavailable={unavailable} {...state} />, status);
}

function renderReset(page: PageRequest, resetToken: string, errors?: FormErrors, status = 200): Promise<void> {
  const view = (
    <ResetView
      frame={page.frame({ path: 'reset', query: { token: resetToken } })}
      token={page.token('browser')}
      resetToken={resetToken || undefined}
      errors={errors}
      passwordMinLength={page.settings.passwordMinLength}
    />
  );
  return page.render(view, status);
}

/** GET/POST /forgot (a reset link by email) and GET/POST /reset (the link's page). */
export const recoveryPages: PageRoute[] = [
  pageRoute({
    method: 'get',
    path: '/forgot',
    handle: (page) => renderForgot(page, {}),
  }),

  pageRoute({
    method: 'post',
    path: '/forgot',
    form: 'browser',
    back: 'forgot',
    async handle(page) {
      const resetLinks = page.settings.resetLinks;
      if (!resetLinks) return renderForgot(page, {}, 501);
      const email = page.field('email');
      try {
        // The same answer, in the same time, whether an account has the address or not.
        await resetLinks.request(email, page.client());
      } catch (error) {
        const { errors, refusal } = placeRefusal(error, page.t, { invalid_input: { field: 'email', kind: 'email' } });
        return renderForgot(page, { email, errors }, page.refused(refusal));
      }
      await renderForgot(page, { email, sent: true });
    },
  }),

  pageRoute({
    method: 'get',
    path: '/reset',
    handle: (page) => renderReset(page, page.query('token')),
  }),

  pageRoute({
    method: 'post',
    path: '/reset',
    form: 'browser',
    back: 'forgot',
    async handle(page) {
      const resetToken = page.field('token');
      try {
        await page.auth.updatePassword(resetToken, page.field('password'), undefined, page.client());
      } catch (error) {
        const { errors, refusal } = placeRefusal(error, page.t, { invalid_input: { field: 'password', kind: 'password' } }, page.settings.passwordMinLength);
        return renderReset(page, resetToken, errors, page.refused(refusal));
      }
      await page.render(<ResetDoneView frame={page.frame({ path: 'login' })} />);
    },
  }),
];
