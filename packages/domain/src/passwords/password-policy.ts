import { ValidationError } from '../kernel/errors';

/** bcrypt ignores everything past 72 bytes: longer passwords are refused, never truncated. */
export const BCRYPT_MAX_BYTES = 72;

export interface PasswordPolicyOptions {
  minLength: number;
  /** In UTF-8 bytes; at most 72. */
  maxBytes: number;
  /** True when the password is too common to be accepted. */
  isCommon?: (password: string) => boolean;
}

export class PasswordPolicy {
  private readonly options: PasswordPolicyOptions;

  constructor(options: Partial<PasswordPolicyOptions> = {}) {
    this.options = { minLength: 1, maxBytes: BCRYPT_MAX_BYTES, ...options };
    if (this.options.maxBytes > BCRYPT_MAX_BYTES) {
      throw new RangeError(`maxBytes cannot exceed ${BCRYPT_MAX_BYTES}`);
    }
  }

  /** Throws ValidationError naming the first rule the password breaks. */
  check(password: string): void {
    const { minLength, maxBytes, isCommon } = this.options;
    if ([...password].length < minLength) {
      throw new ValidationError(`Password must be at least ${minLength} characters long`);
    }
    if (Buffer.byteLength(password, 'utf8') > maxBytes) {
      throw new ValidationError(`Password must be at most ${maxBytes} bytes long`);
    }
    if (isCommon?.(password)) {
      throw new ValidationError('Password is too common; choose another');
    }
  }
}
