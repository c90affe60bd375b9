import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type { MailMessage, Mailer } from '@latchkey/domain';

export interface FileMailerSettings {
  /** Directory receiving one `.eml` file a message (created, readable by its owner only). */
  dir: string;
  from: string;
  /** Told the path of each file written: a path, never the message, whose link holds a token. */
  onWritten?: (file: string) => void;
}

/**
 * For development without an SMTP server: each message becomes an RFC 5322 `.eml` file,
 * which any mail client opens, instead of a log line that would carry its reset token.
 */
export class FileMailer implements Mailer {
  readonly dir: string;
  private readonly transport: Transporter;

  constructor(private readonly settings: FileMailerSettings) {
    this.dir = resolve(settings.dir);
    this.transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  }

  async send(message: MailMessage): Promise<void> {
    const info = (await this.transport.sendMail({ from: this.settings.from, ...message })) as { message: Buffer };
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    const file = join(this.dir, `${new Date().toISOString().replace(/[:.]/g, '-')}-${randomBytes(4).toString('hex')}.eml`);
    await writeFile(file, info.message, { mode: 0o600, flag: 'wx' });
    this.settings.onWritten?.(file);
  }
}
