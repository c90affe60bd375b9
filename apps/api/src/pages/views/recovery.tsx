import type { FC } from 'hono/jsx';
import type { Frame } from './frame';
import type { FormErrors } from './forms';
import { Field, Notice, PageForm } from './forms';
import { Layout } from './layout';

const ToSignIn: FC<{ frame: Frame }> = ({ frame }) => (
  <ul class="links">
    <li>
      <a href="login">{frame.t.links.login}</a>
    </li>
  </ul>
);

interface ForgotProps {
  frame: Frame;
  token: string;
  email?: string;
  errors?: FormErrors;
  /** The request was taken: the same words for every address. */
  sent?: boolean;
  /** No reset link can be sent by this service. */
  unavailable?: boolean;
}

export const ForgotView: FC<ForgotProps> = ({ frame, token, email, errors, sent, unavailable }) => {
  const { t } = frame;
  if (unavailable) {
    return (
      <Layout frame={frame} title={t.titles.forgot}>
        <p>{t.text.resetsUnavailable}</p>
        <ToSignIn frame={frame} />
      </Layout>
    );
  }
  return (
    <Layout frame={frame} title={t.titles.forgot}>
      {sent ? <Notice>{t.text.forgotSent}</Notice> : <p>{t.text.forgotIntro}</p>}
      <PageForm id="forgot" action="forgot" token={token} submit={t.buttons.sendResetLink} errors={errors}>
        <Field form="forgot" name="email" label={t.fields.email} kind="email" autocomplete="email" value={email} errors={errors} autofocus={!sent} />
      </PageForm>
      <ToSignIn frame={frame} />
    </Layout>
  );
};

interface ResetProps {
  frame: Frame;
  token: string;
  resetToken?: string;
  errors?: FormErrors;
  passwordMinLength: number;
}

export const ResetView: FC<ResetProps> = ({ frame, token, resetToken, errors, passwordMinLength }) => {
  const { t } = frame;
  if (!resetToken) {
    return (
      <Layout frame={frame} title={t.titles.reset}>
        <p>{t.text.resetLinkMissing}</p>
        <ul class="links">
          <li>
            <a href="forgot">{t.links.newResetLink}</a>
          </li>
        </ul>
      </Layout>
    );
  }
  return (
    <Layout frame={frame} title={t.titles.reset}>
      <PageForm id="reset" action="reset" token={token} submit={t.buttons.setPassword} errors={errors} hidden={{ token: resetToken }}>
        <Field form="reset" name="password" label={t.fields.newPassword} kind="password" autocomplete="new-password" hint={t.hints.newPassword(passwordMinLength)} errors={errors} autofocus />
      </PageForm>
      {errors?.form ? (
        <ul class="links">
          <li>
            <a href="forgot">{t.links.newResetLink}</a>
          </li>
        </ul>
      ) : null}
    </Layout>
  );
};

export const ResetDoneView: FC<{ frame: Frame }> = ({ frame }) => (
  <Layout frame={frame} title={frame.t.titles.resetDone}>
    <Notice>{frame.t.text.resetDone}</Notice>
    <ToSignIn frame={frame} />
  </Layout>
);

interface VerifyProps {
  frame: Frame;
  token: string;
  /** What the link did, when one was opened. */
  outcome?: { kind: 'verified' | 'changed'; email: string };
  email?: string;
  errors?: FormErrors;
  sent?: boolean;
  /** Addresses are verified here, so a new link can be asked for. */
  canResend: boolean;
}

/** A verification or change-of-email link's outcome, or the form that asks for a new link. */
export const VerifyView: FC<VerifyProps> = ({ frame, token, outcome, email, errors, sent, canResend }) => {
  const { t } = frame;
  if (outcome) {
    return (
      <Layout frame={frame} title={t.titles.verify}>
        <Notice>{outcome.kind === 'verified' ? t.text.verified(outcome.email) : t.text.emailChanged(outcome.email)}</Notice>
        <ul class="links">
          <li>
            <a href="account">{t.links.account}</a>
          </li>
        </ul>
      </Layout>
    );
  }
  if (!canResend) {
    return (
      <Layout frame={frame} title={t.titles.verify}>
        {errors?.form ? <p class="form-error">{errors.form}</p> : <p>{t.text.verifyLinkMissing}</p>}
        <ToSignIn frame={frame} />
      </Layout>
    );
  }
  return (
    <Layout frame={frame} title={t.titles.verify}>
      {sent ? <Notice>{t.text.verifySent}</Notice> : <p>{t.text.verifyIntro}</p>}
      <PageForm id="verify" action="verify" token={token} submit={t.buttons.sendVerification} errors={errors}>
        <Field form="verify" name="email" label={t.fields.email} kind="email" autocomplete="email" value={email} errors={errors} />
      </PageForm>
      <ToSignIn frame={frame} />
    </Layout>
  );
};

/** A page that only says something: an expired form, a failure on the service's side. */
export const MessageView: FC<{ frame: Frame; title: string; text: string; link?: { href: string; text: string } }> = ({ frame, title, text, link }) => (
  <Layout frame={frame} title={title}>
    <p>{text}</p>
    {link ? (
      <ul class="links">
        <li>
          <a href={link.href}>{link.text}</a>
        </li>
      </ul>
    ) : null}
  </Layout>
);
