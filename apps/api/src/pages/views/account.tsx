import type { FC } from 'hono/jsx';
import { FORM_TOKEN_FIELD } from '../form-tokens';
import type { Frame } from './frame';
import type { FormErrors } from './forms';
import { Field, Notice, PageForm } from './forms';
import { Layout } from './layout';
import type { PasskeysSectionProps } from './passkeys';
import { PasskeysSection } from './passkeys';

/** The forms of the account page, by the `action` each posts. */
export type AccountAction =
  | 'resend_verification'
  | 'end_session'
  | 'end_other_sessions'
  | 'change_password'
  | 'change_email'
  | 'start_second_factor'
  | 'enable_second_factor'
  | 'remove_second_factor'
  | 'delete_account'
  | 'rename_passkey'
  | 'remove_passkey';

/** One signed-in device, as the page shows it. */
export interface SessionRow {
  id: string;
  device: string;
  signedIn: string;
  lastActive: string;
  /** The ISO 8601 times, for <time datetime>. */
  signedInIso: string;
  lastActiveIso: string;
  ip: string | null;
  current: boolean;
}

export interface AccountProps {
  frame: Frame;
  token: string;
  email: string;
  /** Undefined when the service does not verify addresses. */
  verified?: boolean;
  sessions: SessionRow[];
  secondFactor: { enabled: boolean; recoveryCodesLeft: number };
  passwordMinLength: number;
  /** The passkeys section, but for what every section has (the catalog, the form token). */
  passkeys: Omit<PasskeysSectionProps, 't' | 'token' | 'failed'>;
  notice?: string;
  /** The form that failed and what to show in it. */
  failed?: { action: AccountAction; errors: FormErrors; values?: Record<string, string> };
}

const action = (name: AccountAction) => ({ action: name });

export const AccountView: FC<AccountProps> = (props) => {
  const { frame, token, email, verified, sessions, secondFactor, passwordMinLength, passkeys, notice, failed } = props;
  const { t } = frame;
  const errorsOf = (name: AccountAction): FormErrors | undefined => (failed?.action === name ? failed.errors : undefined);
  return (
    <Layout frame={frame} title={t.titles.account} passkeys={passkeys.configured}>
      {notice ? <Notice>{notice}</Notice> : null}

      <section aria-labelledby="email-heading">
        <h2 id="email-heading">{t.text.emailHeading}</h2>
        <p class="email-line">
          <strong class="email">{email}</strong>
          {verified === undefined ? null : <span class={verified ? 'badge ok' : 'badge warn'}>{verified ? t.text.emailConfirmed : t.text.emailUnconfirmed}</span>}
        </p>
        {verified === false ? (
          <PageForm id="resend" action="account" token={token} submit={t.buttons.sendVerification} errors={errorsOf('resend_verification')} hidden={action('resend_verification')} />
        ) : null}
      </section>

      <section aria-labelledby="sessions-heading">
        <h2 id="sessions-heading">{t.text.sessionsHeading}</h2>
        {failed?.action === 'end_session' && failed.errors.form ? (
          <p class="form-error" role="alert">
            {failed.errors.form}
          </p>
        ) : null}
        <ul class="sessions">
          {sessions.map((session) => (
            <li class={session.current ? 'session current' : 'session'}>
              <div class="session-text">
                <strong>{session.device}</strong>
                {session.current ? <span class="badge ok">{t.text.thisDevice}</span> : null}
                <br />
                <span class="meta">
                  {`${t.text.signedIn} `}
                  <time datetime={session.signedInIso}>{session.signedIn}</time>
                  {session.ip ? ` ${t.text.fromAddress(session.ip)}` : ''}
                </span>
                <br />
                <span class="meta">
                  {`${t.text.lastActive} `}
                  <time datetime={session.lastActiveIso}>{session.lastActive}</time>
                </span>
              </div>
              <form method="post" action="account" class="session-end">
                <input type="hidden" name={FORM_TOKEN_FIELD} value={token} />
                <input type="hidden" name="action" value="end_session" />
                <input type="hidden" name="id" value={session.id} />
                <button type="submit" class="secondary">
                  {t.buttons.endSession}
                  <span class="visually-hidden">{` ${session.device}, ${session.signedIn}`}</span>
                </button>
              </form>
            </li>
          ))}
        </ul>
        {sessions.length > 1 ? (
          <PageForm id="others" action="account" token={token} submit={t.buttons.endOtherSessions} errors={errorsOf('end_other_sessions')} hidden={action('end_other_sessions')} />
        ) : null}
      </section>

      <section aria-labelledby="password-heading">
        <h2 id="password-heading">{t.text.passwordHeading}</h2>
        <PageForm id="password" action="account" token={token} submit={t.buttons.changePassword} errors={errorsOf('change_password')} hidden={action('change_password')}>
          <Field form="password" name="current_password" label={t.fields.currentPassword} kind="password" autocomplete="current-password" errors={errorsOf('change_password')} />
          <Field form="password" name="new_password" label={t.fields.newPassword} kind="password" autocomplete="new-password" hint={t.hints.newPassword(passwordMinLength)} errors={errorsOf('change_password')} />
        </PageForm>
      </section>

      <section aria-labelledby="change-email-heading">
        <h2 id="change-email-heading">{t.text.changeEmailHeading}</h2>
        <PageForm id="email" action="account" token={token} submit={t.buttons.changeEmail} errors={errorsOf('change_email')} hidden={action('change_email')}>
          <Field form="email" name="new_email" label={t.fields.newEmail} kind="email" autocomplete="email" hint={t.hints.newEmail} value={failed?.action === 'change_email' ? failed.values?.new_email : undefined} errors={errorsOf('change_email')} />
          <Field form="email" name="password" label={t.fields.password} kind="password" autocomplete="current-password" errors={errorsOf('change_email')} />
        </PageForm>
      </section>

      <PasskeysSection
        t={t}
        token={token}
        {...passkeys}
        failed={failed && (failed.action === 'rename_passkey' || failed.action === 'remove_passkey') ? { action: failed.action, id: failed.values?.id ?? '', errors: failed.errors } : undefined}
      />

      <section aria-labelledby="second-factor-heading">
        <h2 id="second-factor-heading">{t.text.secondFactorHeading}</h2>
        {secondFactor.enabled ? (
          <>
            <p>{t.text.secondFactorOn(secondFactor.recoveryCodesLeft)}</p>
            <p>{t.text.removeSecondFactorIntro}</p>
            <PageForm id="second-factor-off" action="account" token={token} submit={t.buttons.removeSecondFactor} errors={errorsOf('remove_second_factor')} hidden={action('remove_second_factor')}>
              <Field form="second-factor-off" name="password" label={t.fields.password} kind="password" autocomplete="current-password" errors={errorsOf('remove_second_factor')} />
              <Field form="second-factor-off" name="code" label={t.fields.code} kind="code" autocomplete="one-time-code" hint={t.hints.code} errors={errorsOf('remove_second_factor')} />
            </PageForm>
          </>
        ) : (
          <>
            <p>{t.text.secondFactorOff}</p>
            <PageForm id="second-factor" action="account" token={token} submit={t.buttons.startSecondFactor} errors={errorsOf('start_second_factor')} hidden={action('start_second_factor')} />
          </>
        )}
      </section>

      <section aria-labelledby="delete-heading">
        <h2 id="delete-heading">{t.text.deleteHeading}</h2>
        <p>{t.text.deleteWarning}</p>
        <PageForm id="delete" action="account" token={token} submit={t.buttons.deleteAccount} errors={errorsOf('delete_account')} hidden={action('delete_account')} danger>
          <Field form="delete" name="password" label={t.fields.password} kind="password" autocomplete="current-password" errors={errorsOf('delete_account')} />
        </PageForm>
      </section>
    </Layout>
  );
};

interface EnrolProps {
  frame: Frame;
  token: string;
  /** The otpauth:// URI, carried by the form so that a mistyped code shows the same QR code again. */
  uri: string;
  secret: string;
  qrDataUri: string;
  errors?: FormErrors;
}

export const EnrolView: FC<EnrolProps> = ({ frame, token, uri, secret, qrDataUri, errors }) => {
  const { t } = frame;
  return (
    <Layout frame={frame} title={t.titles.enrol}>
      <p>{t.text.enrolIntro}</p>
      <img class="qr" src={qrDataUri} alt={t.text.qrAlt} width="220" height="220" />
      <p>
        {t.text.manualKey} <code class="secret">{secret.match(/.{1,4}/g)?.join(' ')}</code>
      </p>
      <PageForm id="enrol" action="account" token={token} submit={t.buttons.enableSecondFactor} errors={errors} hidden={{ action: 'enable_second_factor', enrolment: uri }}>
        <Field form="enrol" name="code" label={t.fields.code} kind="code" autocomplete="one-time-code" hint={t.hints.enrolCode} errors={errors} autofocus />
      </PageForm>
      <ul class="links">
        <li>
          <a href="account">{t.links.account}</a>
        </li>
      </ul>
    </Layout>
  );
};

export const RecoveryCodesView: FC<{ frame: Frame; codes: string[] }> = ({ frame, codes }) => {
  const { t } = frame;
  return (
    <Layout frame={frame} title={t.titles.recoveryCodes}>
      <Notice>{t.text.recoveryIntro}</Notice>
      <ol class="recovery-codes">
        {codes.map((code) => (
          <li>
            <code>{code}</code>
          </li>
        ))}
      </ol>
      <p>{t.text.othersSignedOut}</p>
      <ul class="links">
        <li>
          <a href="account">{t.links.account}</a>
        </li>
      </ul>
    </Layout>
  );
};

export const DeletedView: FC<{ frame: Frame }> = ({ frame }) => (
  <Layout frame={frame} title={frame.t.titles.deleted}>
    <Notice>{frame.t.text.deleted}</Notice>
    <ul class="links">
      <li>
        <a href="signup">{frame.t.links.signup}</a>
      </li>
    </ul>
  </Layout>
);
