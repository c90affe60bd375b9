import { DomainError, InvalidEmailTokenError } from '@latchkey/domain';
import type { PageRequest } from '../page-request';
import { pageRoute } from '../page-route';
import type { PageRoute } from '../page-route';
import { placeRefusal, refusalText } from '../refusals';
import type { FormErrors } from '../views/forms';
import { VerifyView } from '../views/recovery';

interface VerifyState {
  outcome?: { kind: 'verified' | 'changed'; email: string };
  email?: string;
  errors?: FormErrors;
  sent?: boolean;
}

function renderVerify(page: PageRequest, state: VerifyState, status = 200): Promise<void> {
  const canResend = page.auth.account.verification !== 'off';
  return page.render(<VerifyView frame={page.frame({ path: 'verify' })} token={page.token('browser')} canResend={canResend} {...state} />, status);
}

/**
 * What an emailed link confirms: an address after sign-up, or a change of address. One page
 * takes both, trying the token as each (a token is of one kind only).
 */
async function useLink(page: PageRequest, token: string): Promise<VerifyState['outcome']> {
  try {
    const user = await page.auth.account.verifyEmail(token, page.client());
    return { kind: 'verified', email: user.email };
  } catch (error) {
    if (!(error instanceof InvalidEmailTokenError)) throw error;
  }
  const change = await page.auth.account.confirmEmailChange(token, page.client());
  return { kind: 'changed', email: change.email };
}

/** GET /verify?token=… (the links of the emails) and GET/POST /verify (a new link). */
export const verifyPages: PageRoute[] = [
  pageRoute({
    method: 'get',
    path: '/verify',
    async handle(page) {
      const token = page.query('token');
      if (!token) return renderVerify(page, {});
      try {
        return await renderVerify(page, { outcome: await useLink(page, token) });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // The form to ask for a new link, under what was wrong with this one.
        return renderVerify(page, { errors: { form: refusalText(error, page.t), fields: {} } }, page.refused(error));
      }
    },
  }),

  pageRoute({
    method: 'post',
    path: '/verify',
    form: 'browser',
    back: 'verify',
    async handle(page) {
      const email = page.field('email');
      if (page.auth.account.verification === 'off') return renderVerify(page, {}, 400);
      try {
        // The same answer for every address: a link goes only to an account waiting for one.
        await page.auth.account.resendVerification({ email }, page.client());
      } catch (error) {
        const { errors, refusal } = placeRefusal(error, page.t, { invalid_input: { field: 'email', kind: 'email' } });
        return renderVerify(page, { email, errors }, page.refused(refusal));
      }
      await renderVerify(page, { email, sent: true });
    },
  }),
];
