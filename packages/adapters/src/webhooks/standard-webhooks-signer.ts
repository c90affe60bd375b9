import { Webhook } from 'standardwebhooks';
import type { WebhookSigner } from '@latchkey/domain';

/**
 * Signatures by the `standardwebhooks` library, the specification's own for TypeScript:
 * what receivers verify with is what signs. One `v1,…` per secret, space-separated (a
 * receiver accepts a message when any one matches: both secrets sign during a rotation).
 */
export class StandardWebhooksSigner implements WebhookSigner {
  private readonly webhooks = new Map<string, Webhook>();

  sign(id: string, timestampSeconds: number, body: string, secrets: readonly string[]): string {
    const at = new Date(timestampSeconds * 1000);
    return secrets.map((secret) => this.webhook(secret).sign(id, at, body)).join(' ');
  }

  private webhook(secret: string): Webhook {
    let webhook = this.webhooks.get(secret);
    if (!webhook) {
      webhook = new Webhook(secret);
      if (this.webhooks.size > 1000) this.webhooks.clear();
      this.webhooks.set(secret, webhook);
    }
    return webhook;
  }
}
