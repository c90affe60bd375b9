import { UnknownPasskeyError } from '@latchkey/domain';
import type { Command } from '../command';
import { CLI_CLIENT } from '../open-services';
import { fields } from '../output';

export const passkeysRemove: Command = {
  name: 'passkeys remove',
  args: ['ID'],
  summary: 'Remove a passkey by its id or credential id (from `latchkey users show`)',
  details:
    'For a lost or stolen device: the passkey no longer signs in. The audit trail records passkey_removed and webhooks get passkey.removed (by admin). ' +
    'The last passkey of an account without a usable password is kept (exit 3): the owner would have no way in. An unknown id exits 1.',
  database: 'schema',
  async run({ args: [id], services }) {
    const removed = await services.auth.passkeys.removeByAdmin(id!, CLI_CLIENT);
    if (!removed) throw new UnknownPasskeyError();
    return {
      json: { id: removed.id, credential_id: removed.credentialId, user_id: removed.userId, name: removed.name, removed: true },
      text: fields([
        ['passkey', `${removed.id} (${removed.name})`],
        ['user', String(removed.userId)],
        ['state', 'removed'],
      ]),
    };
  },
};
