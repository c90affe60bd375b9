import type { Command } from '../command';
import { apiKeysCreate } from './api-keys-create';
import { apiKeysList } from './api-keys-list';
import { apiKeysRevoke } from './api-keys-revoke';
import { events } from './events';
import { keysList } from './keys-list';
import { keysRotate } from './keys-rotate';
import { migrate, migrateRollback, migrateStatus } from './migrate';
import { passkeysRemove } from './passkeys-remove';
import { resetToken } from './reset-token';
import { sessionsList } from './sessions-list';
import { sessionsRevoke } from './sessions-revoke';
import { usersAdd } from './users-add';
import { usersDelete } from './users-delete';
import { usersList } from './users-list';
import { usersMfaReset } from './users-mfa-reset';
import { usersShow } from './users-show';
import { usersVerify } from './users-verify';
import { webhooksAdd } from './webhooks-add';
import { webhooksDeliveries } from './webhooks-deliveries';
import { webhooksList } from './webhooks-list';
import { webhooksRemove } from './webhooks-remove';
import { webhooksReplay } from './webhooks-replay';
import { webhooksRotateSecret } from './webhooks-rotate-secret';

/** Every command, in the order `latchkey --help` lists them. */
export const COMMANDS: readonly Command[] = [
  usersAdd,
  usersShow,
  usersList,
  usersVerify,
  usersDelete,
  usersMfaReset,
  passkeysRemove,
  sessionsList,
  sessionsRevoke,
  resetToken,
  events,
  keysList,
  keysRotate,
  webhooksAdd,
  webhooksList,
  webhooksRemove,
  webhooksDeliveries,
  webhooksReplay,
  webhooksRotateSecret,
  apiKeysCreate,
  apiKeysList,
  apiKeysRevoke,
  migrate,
  migrateStatus,
  migrateRollback,
];
