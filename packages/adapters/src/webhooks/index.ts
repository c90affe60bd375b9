export { StandardWebhooksSigner } from './standard-webhooks-signer';
export { FetchWebhookSender } from './fetch-webhook-sender';
