import { DomainError } from '../kernel/errors';

/** No webhook endpoint has this id. */
export class UnknownWebhookEndpointError extends DomainError {
  readonly code = 'unknown_webhook_endpoint';
  constructor(readonly id: number) {
    super(`no webhook endpoint has the id ${id}`);
  }
}

/** No settled delivery has this id (a pending one is still being tried). */
export class UnknownWebhookDeliveryError extends DomainError {
  readonly code = 'unknown_webhook_delivery';
  constructor(readonly id: number) {
    super(`no delivered or failed webhook delivery has the id ${id}`);
  }
}
