import type { FC } from 'hono/jsx';
import type { ErrorCode } from '@latchkey/domain';
import type { Catalog } from '../catalogs';
import type { FormErrors } from './forms';
import { Field, PageForm } from './forms';

/** The API's refusals the page script can meet in a ceremony, each told in the page's words. */
const CEREMONY_CODES = [
  'invalid_passkey',
  'no_passkey_ceremony',
  'passkeys_unconfigured',
  'passkey_limit',
  'passkey_exists',
  'step_up_required',
  'wrong_password',
  'too_many_attempts',
  'login_unavailable',
  'dependency_unavailable',
  'overloaded',
] as const satisfies readonly ErrorCode[];

/**
 * What the page script says, in the page's language, as one attribute (JSON): the script
 * has no catalog of its own. The API's own wording is never shown: an unknown code is the
 * generic failure.
 */
function scriptTexts(t: Catalog): string {
  const errors = Object.fromEntries(CEREMONY_CODES.map((code) => [code, t.errors[code]]));
  return JSON.stringify({ errors, failure: t.text.failure, cancelled: t.passkeys.cancelled, waiting: t.passkeys.waiting });
}

/**
 * What the script fills in: its error (announced), what the browser waits for, and the
 * notes shown when the script cannot run (noscript) or the browser has no WebAuthn.
 */
const ScriptNotes: FC<{ t: Catalog }> = ({ t }) => (
  <>
    <noscript>
      <p class="hint">{t.passkeys.needsScript}</p>
    </noscript>
    <p class="hint" data-passkey-unsupported hidden>
      {t.passkeys.unsupported}
    </p>
    <p class="form-error" role="alert" data-passkey-error hidden />
    <p class="hint" role="status" data-passkey-status hidden />
  </>
);

/**
 * The sign-in page's passkey button. The script shows it when the browser has WebAuthn,
 * and also offers the passkeys in the email field's autofill (conditional UI).
 */
export const PasskeySignIn: FC<{ t: Catalog; landing: string; codeStep: string }> = ({ t, landing, codeStep }) => (
  <div class="passkey-sign-in" data-passkeys="sign-in" data-landing={landing} data-code-step={codeStep} data-texts={scriptTexts(t)}>
    <div data-passkey-ready hidden>
      <p>{t.passkeys.signInIntro}</p>
      <button type="button" class="secondary" data-passkey-sign-in>
        {t.passkeys.signIn}
      </button>
    </div>
    <ScriptNotes t={t} />
  </div>
);

/** One passkey, as the account page lists it. */
export interface PasskeyRow {
  id: string;
  name: string;
  synced: boolean;
  added: string;
  addedIso: string;
  lastUsed?: string;
  lastUsedIso?: string;
}

export interface PasskeysSectionProps {
  t: Catalog;
  token: string;
  passkeys: PasskeyRow[];
  /** Ceremonies can run (a relying party is configured). */
  configured: boolean;
  /** This session is past its step-up window: adding or removing asks for the password. */
  needsPassword: boolean;
  stepUpMinutes: number;
  /** The rename or remove form that failed, by the passkey's id. */
  failed?: { action: 'rename_passkey' | 'remove_passkey'; id: string; errors: FormErrors };
}

/**
 * The account page's passkeys: the list (rendered here, so it needs no script), each with
 * its rename and remove forms (plain posts), and the add form, run by the page script.
 */
export const PasskeysSection: FC<PasskeysSectionProps> = ({ t, token, passkeys, configured, needsPassword, stepUpMinutes, failed }) => {
  const p = t.passkeys;
  const errorsOf = (action: 'rename_passkey' | 'remove_passkey', id: string) => (failed?.action === action && failed.id === id ? failed.errors : undefined);
  const lost = failed && !passkeys.some((row) => row.id === failed.id) ? failed.errors.form : undefined;
  return (
    <section aria-labelledby="passkeys-heading" data-passkeys="account" data-texts={scriptTexts(t)}>
      <h2 id="passkeys-heading">{p.heading}</h2>
      <p>{p.intro}</p>
      {lost ? (
        <p class="form-error" role="alert">
          {lost}
        </p>
      ) : null}
      {passkeys.length === 0 ? (
        <p>{p.none}</p>
      ) : (
        <ul class="passkeys">
          {passkeys.map((row, index) => (
            <li class="passkey">
              <div>
                <strong class="passkey-name">{row.name}</strong>
                {row.synced ? <span class="badge ok">{p.synced}</span> : null}
                <br />
                <span class="meta">
                  {`${p.added} `}
                  <time datetime={row.addedIso}>{row.added}</time>
                </span>
                <br />
                <span class="meta">
                  {row.lastUsed ? (
                    <>
                      {`${p.lastUsed} `}
                      <time datetime={row.lastUsedIso}>{row.lastUsed}</time>
                    </>
                  ) : (
                    p.neverUsed
                  )}
                </span>
              </div>
              <details class="passkey-manage" open={Boolean(errorsOf('rename_passkey', row.id) ?? errorsOf('remove_passkey', row.id))}>
                <summary>
                  {p.manage}
                  <span class="visually-hidden">{`: ${row.name}`}</span>
                </summary>
                <PageForm id={`rename-${index}`} action="account" token={token} submit={p.rename} errors={errorsOf('rename_passkey', row.id)} hidden={{ action: 'rename_passkey', id: row.id }}>
                  <Field form={`rename-${index}`} name="name" label={p.newName} kind="text" autocomplete="off" value={row.name} errors={errorsOf('rename_passkey', row.id)} />
                </PageForm>
                <PageForm id={`remove-${index}`} action="account" token={token} submit={p.remove} errors={errorsOf('remove_passkey', row.id)} hidden={{ action: 'remove_passkey', id: row.id }} danger>
                  {needsPassword || errorsOf('remove_passkey', row.id)?.fields.password ? (
                    <Field form={`remove-${index}`} name="password" label={t.fields.password} kind="password" autocomplete="current-password" errors={errorsOf('remove_passkey', row.id)} />
                  ) : null}
                </PageForm>
              </details>
            </li>
          ))}
        </ul>
      )}
      {configured ? (
        <>
          <div data-passkey-ready hidden>
            <form id="passkey-add" class="page-form" method="post" action="account" data-passkey-add>
              <Field form="passkey-add" name="name" label={p.name} kind="text" autocomplete="off" hint={p.nameHint} optional />
              {/* Revealed by the script when the API asks for the password after all (the window passed while the page was open). */}
              <div data-step-up hidden={!needsPassword}>
                <Field form="passkey-add" name="password" label={t.fields.password} kind="password" autocomplete="current-password" hint={p.stepUpHint(stepUpMinutes)} optional />
              </div>
              <button type="submit">{p.add}</button>
            </form>
          </div>
          <ScriptNotes t={t} />
        </>
      ) : (
        <p class="hint">{p.unavailable}</p>
      )}
    </section>
  );
};
