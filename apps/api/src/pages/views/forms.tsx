import type { Child, FC } from 'hono/jsx';
import { FORM_TOKEN_FIELD } from '../form-tokens';

/** What a failed post left to show: beside a field (by its name), or at the top of the form. */
export interface FormErrors {
  form?: string;
  fields: Record<string, string | undefined>;
}

export const NO_ERRORS: FormErrors = { fields: {} };

interface PageFormProps {
  /** Unique on its page: it prefixes the ids of the form's fields. */
  id: string;
  action: string;
  token: string;
  submit: string;
  errors?: FormErrors;
  hidden?: Record<string, string | undefined>;
  /** A destructive action: the button says so by its colour as well as its words. */
  danger?: boolean;
  children?: Child;
}

/**
 * A form posted to the pages: its token, its hidden fields, a form-level error at the top
 * (announced), the fields, and one submit button named by its action.
 */
export const PageForm: FC<PageFormProps> = ({ id, action, token, submit, errors, hidden = {}, danger, children }) => (
  <form method="post" action={action} id={id} class="page-form">
    {errors?.form ? (
      <p class="form-error" role="alert" id={`${id}-error`}>
        {errors.form}
      </p>
    ) : null}
    <input type="hidden" name={FORM_TOKEN_FIELD} value={token} />
    {Object.entries(hidden).map(([name, value]) => (value === undefined ? null : <input type="hidden" name={name} value={value} />))}
    {children}
    <button type="submit" class={danger ? 'danger' : undefined}>
      {submit}
    </button>
  </form>
);

interface FieldProps {
  form: string;
  name: string;
  label: string;
  kind: 'email' | 'password' | 'text' | 'code';
  autocomplete: string;
  value?: string;
  hint?: string;
  errors?: FormErrors;
  autofocus?: boolean;
  /** A field that may be left empty (the label says so). */
  optional?: boolean;
}

/**
 * One labelled input; its hint and its error, when there is one, are tied to it
 * (aria-describedby), and an invalid field takes the focus when the page opens.
 *
 * Email fields are text fields with the email keyboard: the browser's own email check
 * refuses addresses the service accepts (a local part in Unicode).
 */
export const Field: FC<FieldProps> = ({ form, name, label, kind, autocomplete, value, hint, errors, autofocus, optional }) => {
  const id = `${form}-${name}`;
  const error = errors?.fields[name];
  const described = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return (
    <div class={error ? 'field invalid' : 'field'}>
      <label for={id}>{label}</label>
      {hint ? (
        <p class="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p class="field-error" id={`${id}-error`}>
          {error}
        </p>
      ) : null}
      <input
        id={id}
        name={name}
        type={kind === 'password' ? 'password' : 'text'}
        inputmode={kind === 'email' ? 'email' : undefined}
        autocapitalize={kind === 'email' || kind === 'code' ? 'none' : undefined}
        spellcheck={kind === 'email' || kind === 'code' ? false : undefined}
        autocomplete={autocomplete}
        value={kind === 'password' ? undefined : value}
        required={!optional}
        aria-invalid={error ? 'true' : undefined}
        aria-describedby={described || undefined}
        autofocus={Boolean(error) || autofocus || undefined}
      />
    </div>
  );
};

/** A paragraph that tells the outcome of what was just done. */
export const Notice: FC<{ children?: Child; tone?: 'success' | 'info' }> = ({ children, tone = 'success' }) => (
  <p class={`notice ${tone}`} role="status">
    {children}
  </p>
);
