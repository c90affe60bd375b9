/** Signs a webhook as Standard Webhooks specifies. */
export interface WebhookSigner {
  /**
   * The `webhook-signature` header: one `v1,<base64 HMAC-SHA256 of id.timestamp.body>` for
   * each secret (`whsec_…`), space-separated, in the order given.
   */
  sign(id: string, timestampSeconds: number, body: string, secrets: readonly string[]): string;
}

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Posts a webhook and tells the receiver's status; never follows a redirect. Rejects when no answer came. */
export interface WebhookSender {
  send(request: WebhookRequest, signal: AbortSignal): Promise<{ status: number }>;
}
