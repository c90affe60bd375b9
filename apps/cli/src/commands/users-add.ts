import type { Command } from '../command';
import { UserAlreadyExistsError } from '@latchkey/domain';
import { CLI_CLIENT } from '../open-services';
import { fields } from '../output';
import { readNewPassword } from '../password-input';
import { findUserByEmail } from './user-lookup';
import { UserNotFoundError } from '../cli-errors';

export const usersAdd: Command = {
  name: 'users add',
  args: ['EMAIL'],
  summary: 'Register a user; the password comes from a prompt or standard input',
  details: [
    'At a terminal the password is asked twice and not echoed. Otherwise the first line',
    'of standard input is the password:',
    '  printf "%s\\n" "$PASSWORD" | latchkey users add bob@example.com',
    'There is no option for it: an argument would show in process lists and shell history.',
  ].join('\n'),
  database: 'schema',
  async run({ args: [email], services, io }) {
    // Refuse a taken email before asking for a password that would be thrown away.
    if (await exists(() => findUserByEmail(services.users, email!))) throw new UserAlreadyExistsError(email!.trim());
    const user = await services.auth.registerUser(email!, await readNewPassword(io), CLI_CLIENT);
    return {
      json: { id: user.id, email: user.email },
      text: fields([
        ['added', user.email],
        ['id', String(user.id)],
      ]),
    };
  },
};

async function exists(find: () => Promise<unknown>): Promise<boolean> {
  try {
    await find();
    return true;
  } catch (error) {
    if (error instanceof UserNotFoundError) return false;
    throw error;
  }
}
