import { parseEmailOrNull } from '@latchkey/domain';
import type { AuthenticatedSession } from '@latchkey/domain';
import { SESSION_COOKIE, clearCookie, readCookie } from '../../cookies';
import type { Notice } from '../catalogs';
import { NOTICES } from '../catalogs';
import { describeDevice } from '../devices';
import type { PageRequest } from '../page-request';
import { pageRoute } from '../page-route';
import type { PageRoute } from '../page-route';
import { qrCodeDataUri } from '../qr-code';
import type { ErrorPlaces } from '../refusals';
import { placeRefusal } from '../refusals';
import type { AccountAction, AccountProps, SessionRow } from '../views/account';
import { AccountView, DeletedView, EnrolView, RecoveryCodesView } from '../views/account';
import type { FormErrors } from '../views/forms';
import type { PasskeyRow } from '../views/passkeys';

type Failed = AccountProps['failed'];

/** The signed-in session of a route that requires one. */
function signedIn(page: PageRequest): AuthenticatedSession {
  return page.signedIn!;
}

async function renderAccount(page: PageRequest, options: { notice?: Notice; failed?: Failed; status?: number } = {}): Promise<void> {
  const { user, session } = signedIn(page);
  const [sessions, secondFactor, passkeys] = await Promise.all([page.auth.sessions.list(user.id), page.auth.secondFactor.status(user.id), page.auth.passkeys.list(user.id)]);
  const rows: SessionRow[] = sessions.map((each) => ({
    id: each.id,
    device: describeDevice(each.userAgent, page.t),
    signedIn: page.t.dateTime(each.createdAt),
    lastActive: page.t.dateTime(each.lastSeenAt),
    signedInIso: new Date(each.createdAt).toISOString(),
    lastActiveIso: new Date(each.lastSeenAt).toISOString(),
    ip: each.ip,
    current: each.id === session.id,
  }));
  const stepUpMs = page.settings.passkeyStepUpSeconds * 1000;
  const passkeyRows: PasskeyRow[] = passkeys.map((each) => ({
    id: each.id,
    name: each.name,
    synced: each.backedUp,
    added: page.t.dateTime(each.createdAt),
    addedIso: new Date(each.createdAt).toISOString(),
    lastUsed: each.lastUsedAt === null ? undefined : page.t.dateTime(each.lastUsedAt),
    lastUsedIso: each.lastUsedAt === null ? undefined : new Date(each.lastUsedAt).toISOString(),
  }));
  const view = (
    <AccountView
      frame={page.frame({ path: 'account' })}
      token={page.token('session')}
      email={user.email}
      verified={page.auth.account.profileFields(user).email_verified}
      sessions={rows}
      secondFactor={secondFactor}
      passwordMinLength={page.settings.passwordMinLength}
      passkeys={{
        passkeys: passkeyRows,
        configured: page.auth.passkeys.configured,
        // The domain's own rule (a session opened within the window is its own step-up), so the form asks for the password only when the domain will.
        needsPassword: Date.now() - session.createdAt > stepUpMs,
        stepUpMinutes: Math.round(stepUpMs / 60_000),
      }}
      notice={options.notice ? page.t.notices[options.notice] : undefined}
      failed={options.failed}
    />
  );
  await page.render(view, options.status);
}

/** Runs a change; a refusal shows the account page again, the error in the form that posted it. */
async function attempt(page: PageRequest, action: AccountAction, places: ErrorPlaces, work: () => Promise<void>, values?: Record<string, string>): Promise<void> {
  try {
    await work();
  } catch (error) {
    const { errors, refusal } = placeRefusal(error, page.t, places, page.settings.passwordMinLength);
    await renderAccount(page, { failed: { action, errors, values }, status: page.refused(refusal) });
  }
}

const done = (page: PageRequest, notice: Notice) => page.redirect(`account?done=${notice}`);

async function renderEnrolment(page: PageRequest, uri: string, errors?: FormErrors, status = 200): Promise<void> {
  const secret = new URL(uri).searchParams.get('secret') ?? '';
  const view = <EnrolView frame={page.frame({ path: 'account' })} token={page.token('session')} uri={uri} secret={secret} qrDataUri={await qrCodeDataUri(uri)} errors={errors} />;
  await page.render(view, status);
}

/** The enrolment's URI as the form carried it back: only an otpauth TOTP URI is shown again. */
function postedEnrolment(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'otpauth:' && url.host === 'totp' && url.searchParams.has('secret') ? value : undefined;
  } catch {
    return undefined;
  }
}

/** What each form of the account page does. */
const ACTIONS: Record<AccountAction, (page: PageRequest) => Promise<void>> = {
  async resend_verification(page) {
    await attempt(page, 'resend_verification', {}, async () => {
      await page.auth.account.resendVerification({ user: signedIn(page).user }, page.client());
      done(page, 'verification_sent');
    });
  },

  async end_session(page) {
    const { user, session } = signedIn(page);
    const id = page.field('id');
    if (id === session.id) {
      // This device's own row: a sign-out.
      await page.auth.sessions.logout(readCookie(page.ctx, SESSION_COOKIE), page.client());
      clearCookie(page.ctx, SESSION_COOKIE, page.deps.cookie);
      return page.redirect('login');
    }
    if (await page.auth.sessions.revoke(user.id, id, page.client())) return done(page, 'session_ended');
    await renderAccount(page, { failed: { action: 'end_session', errors: { form: page.t.errors.unknown_session, fields: {} } }, status: 404 });
  },

  async end_other_sessions(page) {
    const { user, session } = signedIn(page);
    await page.auth.sessions.revokeOthers(user.id, session.id, page.client());
    done(page, 'others_ended');
  },

  async change_password(page) {
    const places: ErrorPlaces = { wrong_password: { field: 'current_password' }, invalid_input: { field: 'new_password', kind: 'password' } };
    await attempt(page, 'change_password', places, async () => {
      await page.auth.account.changePassword(signedIn(page), page.field('current_password'), page.field('new_password'), page.client());
      done(page, 'password_changed');
    });
  },

  async change_email(page) {
    const newEmail = page.field('new_email');
    const places: ErrorPlaces = {
      wrong_password: { field: 'password' },
      // An address the service refuses, or the account's own.
      invalid_input: parseEmailOrNull(newEmail) === null ? { field: 'new_email', kind: 'email' } : { field: 'new_email', text: page.t.errors.sameEmail },
    };
    await attempt(
      page,
      'change_email',
      places,
      async () => {
        await page.auth.account.requestEmailChange(signedIn(page).user, page.field('password'), newEmail, page.client());
        done(page, 'email_change_sent');
      },
      { new_email: newEmail },
    );
  },

  async start_second_factor(page) {
    await attempt(page, 'start_second_factor', {}, async () => {
      const { uri } = await page.auth.secondFactor.startEnrolment(signedIn(page).user);
      await renderEnrolment(page, uri);
    });
  },

  async enable_second_factor(page) {
    const { user, session } = signedIn(page);
    const uri = postedEnrolment(page.field('enrolment'));
    try {
      const codes = await page.auth.secondFactor.enable(user, page.field('code'), session.id, page.client());
      await page.render(<RecoveryCodesView frame={page.frame({ path: 'account' })} codes={codes} />);
    } catch (error) {
      const { errors, refusal } = placeRefusal(error, page.t, { invalid_second_factor_code: { field: 'code' } });
      // A mistyped code: the same QR code again, for another try.
      if (refusal.code === 'invalid_second_factor_code' && uri) return renderEnrolment(page, uri, errors, page.refused(refusal));
      await renderAccount(page, { failed: { action: 'start_second_factor', errors: { form: errors.form ?? errors.fields.code, fields: {} } }, status: page.refused(refusal) });
    }
  },

  async remove_second_factor(page) {
    const { user, session } = signedIn(page);
    await attempt(page, 'remove_second_factor', { invalid_second_factor_code: { text: page.t.errors.passwordOrCode } }, async () => {
      await page.auth.secondFactor.remove(user, page.field('password'), page.field('code'), session.id, page.client());
      done(page, 'second_factor_removed');
    });
  },

  async rename_passkey(page) {
    const id = page.field('id');
    await attempt(
      page,
      'rename_passkey',
      { invalid_input: { field: 'name' }, unknown_passkey: {} },
      async () => {
        await page.auth.passkeys.rename(signedIn(page).user.id, id, page.field('name'));
        done(page, 'passkey_renamed');
      },
      { id },
    );
  },

  async remove_passkey(page) {
    const id = page.field('id');
    // No password posted: the domain decides whether this session is recent enough without it.
    const password = page.field('password') || undefined;
    await attempt(
      page,
      'remove_passkey',
      { wrong_password: { field: 'password' }, step_up_required: { field: 'password' }, unknown_passkey: {} },
      async () => {
        await page.auth.passkeys.remove(signedIn(page), id, password, page.client());
        done(page, 'passkey_removed');
      },
      { id },
    );
  },

  async delete_account(page) {
    await attempt(page, 'delete_account', { wrong_password: { field: 'password' } }, async () => {
      await page.auth.account.deleteAccount(signedIn(page).user, page.field('password'), page.client());
      clearCookie(page.ctx, SESSION_COOKIE, page.deps.cookie);
      await page.render(<DeletedView frame={{ ...page.frame({ path: 'signup' }), signOutToken: undefined }} />);
    });
  },
};

function isAction(value: string): value is AccountAction {
  return Object.hasOwn(ACTIONS, value);
}

/** GET /account and the posts of its forms (POST /account, one `action` a form). */
export const accountPages: PageRoute[] = [
  pageRoute({
    method: 'get',
    path: '/account',
    session: 'required',
    async handle(page) {
      const asked = page.query('done');
      const notice = (NOTICES as readonly string[]).includes(asked) ? (asked as Notice) : undefined;
      await renderAccount(page, { notice });
    },
  }),

  pageRoute({
    method: 'post',
    path: '/account',
    session: 'required',
    form: 'session',
    back: 'account',
    async handle(page) {
      const action = page.field('action');
      if (!isAction(action)) return renderAccount(page, { status: 400 });
      await ACTIONS[action](page);
    },
  }),
];
