import type { Knex } from 'knex';
import type { OutboxMessage } from '@latchkey/domain';
import { serializedPayload } from '@latchkey/domain';

export const OUTBOX_TABLE = 'outbox_messages';

/**
 * Writes messages in the caller's transaction (a repository's change), due at once; the
 * payload is serialized there too, so one that cannot be stored undoes the change.
 */
export async function insertOutboxMessages(runner: Knex | Knex.Transaction, messages: readonly OutboxMessage[] | undefined): Promise<void> {
  if (!messages || messages.length === 0) return;
  const createdAt = Date.now();
  await runner(OUTBOX_TABLE).insert(
    messages.map((message) => ({
      topic: message.topic,
      kind: message.kind,
      payload: serializedPayload(message),
      state: 'pending',
      attempts: 0,
      available_at: 0,
      created_at: createdAt,
    })),
  );
}
