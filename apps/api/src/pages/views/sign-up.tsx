import type { FC } from 'hono/jsx';
import type { Frame } from './frame';
import type { FormErrors } from './forms';
import { Field, PageForm } from './forms';
import { Layout } from './layout';

interface SignUpProps {
  frame: Frame;
  token: string;
  email?: string;
  returnTo?: string;
  errors?: FormErrors;
  passwordMinLength: number;
}

export const SignUpView: FC<SignUpProps> = ({ frame, token, email, returnTo, errors, passwordMinLength }) => {
  const { t } = frame;
  return (
    <Layout frame={frame} title={t.titles.signup}>
      <PageForm id="signup" action="signup" token={token} submit={t.buttons.createAccount} errors={errors} hidden={{ return_to: returnTo }}>
        <Field form="signup" name="email" label={t.fields.email} kind="email" autocomplete="email" value={email} errors={errors} autofocus />
        <Field form="signup" name="password" label={t.fields.password} kind="password" autocomplete="new-password" hint={t.hints.newPassword(passwordMinLength)} errors={errors} />
      </PageForm>
      <ul class="links">
        <li>
          <a href="login">{t.links.login}</a>
        </li>
      </ul>
    </Layout>
  );
};

export const CheckEmailView: FC<{ frame: Frame; email: string }> = ({ frame, email }) => (
  <Layout frame={frame} title={frame.t.titles.checkEmail}>
    <p>{frame.t.text.checkEmail(email)}</p>
    <ul class="links">
      <li>
        <a href="login">{frame.t.links.login}</a>
      </li>
      <li>
        <a href="verify">{frame.t.links.resendVerification}</a>
      </li>
    </ul>
  </Layout>
);
