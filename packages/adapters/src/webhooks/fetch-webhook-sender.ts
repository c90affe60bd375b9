import type { WebhookRequest, WebhookSender } from '@latchkey/domain';

/**
 * POSTs with Node's fetch. A redirect is not followed (`redirect: 'manual'`): its 3xx is
 * the answer, a failed attempt, so a receiver cannot bounce events to another address.
 * The receiver's body is not read: only its status counts, and a large one costs nothing.
 */
export class FetchWebhookSender implements WebhookSender {
  async send(request: WebhookRequest, signal: AbortSignal): Promise<{ status: number }> {
    const response = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body, redirect: 'manual', signal });
    await response.body?.cancel().catch(() => {});
    return { status: response.status };
  }
}
