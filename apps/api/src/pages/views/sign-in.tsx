import type { FC } from 'hono/jsx';
import type { Frame } from './frame';
import type { FormErrors } from './forms';
import { Field, PageForm } from './forms';
import { Layout } from './layout';
import { PasskeySignIn } from './passkeys';

interface SignInProps {
  frame: Frame;
  token: string;
  email?: string;
  returnTo?: string;
  errors?: FormErrors;
  /** Verification is on: offer a new link to whoever cannot sign in yet. */
  offerVerification: boolean;
  /** Passkeys can sign in: where the script goes once signed in, and to the code step when a second factor is still asked. */
  passkeys?: { landing: string; codeStep: string };
}

export const LoginView: FC<SignInProps> = ({ frame, token, email, returnTo, errors, offerVerification, passkeys }) => {
  const { t } = frame;
  return (
    <Layout frame={frame} title={t.titles.login} passkeys={Boolean(passkeys)}>
      <PageForm id="login" action="login" token={token} submit={t.buttons.signIn} errors={errors} hidden={{ return_to: returnTo }}>
        <Field form="login" name="email" label={t.fields.email} kind="email" autocomplete={passkeys ? 'username webauthn' : 'username'} value={email} errors={errors} autofocus={!email} />
        <Field form="login" name="password" label={t.fields.password} kind="password" autocomplete="current-password" errors={errors} autofocus={Boolean(email) && !errors?.fields.email} />
      </PageForm>
      {passkeys ? <PasskeySignIn t={t} landing={passkeys.landing} codeStep={passkeys.codeStep} /> : null}
      <ul class="links">
        <li>
          <a href="forgot">{t.links.forgot}</a>
        </li>
        <li>
          <a href="signup">{t.links.signup}</a>
        </li>
        {offerVerification ? (
          <li>
            <a href="verify">{t.links.resendVerification}</a>
          </li>
        ) : null}
      </ul>
    </Layout>
  );
};

/** The second step of the same sign-in: the pending login is in its cookie, the code in this form. */
export const SecondFactorView: FC<{ frame: Frame; token: string; returnTo?: string; errors?: FormErrors }> = ({ frame, token, returnTo, errors }) => {
  const { t } = frame;
  return (
    <Layout frame={frame} title={t.titles.secondFactor}>
      <p>{t.text.secondFactorIntro}</p>
      <PageForm id="code" action="login" token={token} submit={t.buttons.verifyCode} errors={errors} hidden={{ step: 'code', return_to: returnTo }}>
        <Field form="code" name="code" label={t.fields.code} kind="code" autocomplete="one-time-code" hint={t.hints.code} errors={errors} autofocus />
      </PageForm>
      <ul class="links">
        <li>
          <a href="login">{t.links.login}</a>
        </li>
      </ul>
    </Layout>
  );
};
