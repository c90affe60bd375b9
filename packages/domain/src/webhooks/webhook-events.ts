import type { Clock } from '../kernel/clock';
import { NoResultFound } from '../kernel/errors';
import type { OutboxMessage } from '../outbox/outbox-message';
import type { UserRepository } from '../users/user-repository';
import type { WebhookEventData, WebhookEventType } from './webhook-event';
import { webhookMessage } from './webhook-event';

/** Which events some endpoint wants: a change writes only those. */
export interface EventSubscriptions {
  wants(type: WebhookEventType): Promise<boolean>;
}

/**
 * Events of one kind for one change, prepared before it: the repository makes their
 * messages in the change's own step (where the new user's id or the sessions ended are
 * known), and `committed` starts their delivery once it has returned.
 */
export class PreparedEvents {
  constructor(
    readonly type: WebhookEventType,
    readonly wanted: boolean,
    private readonly clock: Clock,
    private readonly wake: () => void,
  ) {}

  /** The event's outbox row; none when no endpoint wants the type. */
  messages(data: WebhookEventData): OutboxMessage[] {
    return this.wanted ? [webhookMessage(this.type, data, this.clock.now())] : [];
  }

  /** The change committed: its events may go now (a poll would find them too). */
  committed(): void {
    if (this.wanted) this.wake();
  }
}

export interface WebhookEventsDeps {
  subscriptions: EventSubscriptions;
  /** Looks up the address of a session's user (session events name it). */
  users: UserRepository;
  clock: Clock;
  /** Wakes the dispatcher after a change that wrote events. */
  wake?: () => void;
}

/**
 * The events of the domain's changes. Each capability prepares the events of a change,
 * hands their messages to the repository call that makes it, and tells once it committed.
 * Without subscriptions (no endpoint), nothing is written and nothing is looked up.
 */
export class WebhookEvents {
  constructor(private readonly deps: WebhookEventsDeps) {}

  async prepare(type: WebhookEventType): Promise<PreparedEvents> {
    return new PreparedEvents(type, await this.deps.subscriptions.wants(type), this.deps.clock, this.deps.wake ?? (() => {}));
  }

  /** The user's current address; '' for one gone meanwhile. */
  async emailOf(userId: number): Promise<string> {
    try {
      return (await this.deps.users.findUserBy({ id: userId })).email;
    } catch (error) {
      if (error instanceof NoResultFound) return '';
      throw error;
    }
  }
}

const NOTHING_WANTED: EventSubscriptions = { wants: async () => false };

/** Events nobody subscribes to: no row, no lookup. */
export function noWebhookEvents(users: UserRepository, clock: Clock): WebhookEvents {
  return new WebhookEvents({ subscriptions: NOTHING_WANTED, users, clock });
}
