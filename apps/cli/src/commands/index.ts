import type { Command } from '../command';
import { events } from './events';
import { keysList } from './keys-list';
import { keysRotate } from './keys-rotate';
import { migrate, migrateRollback, migrateStatus } from './migrate';
import { resetToken } from './reset-token';
import { sessionsList } from './sessions-list';
import { sessionsRevoke } from './sessions-revoke';
import { usersAdd } from './users-add';
import { usersDelete } from './users-delete';
import { usersList } from './users-list';
import { usersMfaReset } from './users-mfa-reset';
import { usersShow } from './users-show';
import { usersVerify } from './users-verify';

/** Every command, in the order `latchkey --help` lists them. */
export const COMMANDS: readonly Command[] = [
  usersAdd,
  usersShow,
  usersList,
  usersVerify,
  usersDelete,
  usersMfaReset,
  sessionsList,
  sessionsRevoke,
  resetToken,
  events,
  keysList,
  keysRotate,
  migrate,
  migrateStatus,
  migrateRollback,
];
