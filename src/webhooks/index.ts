// The webhooks area: subscriptions, job callbacks, the outbox and its relay, the SSRF guard.
export { deleteWebhook } from './delete-webhook.js';
export { enqueueJobWebhooks, type JobWebhookEvent } from './enqueue-job-webhooks.js';
export { type HostResolver, systemResolver } from './guarded-lookup.js';
export { type DeliveryPage, type ListDeliveriesInput, listDeliveries } from './list-deliveries.js';
export { listWebhooks } from './list-webhooks.js';
export { pingWebhook } from './ping-webhook.js';
export { type RegisterWebhookInput, registerBatchWebhook } from './register-batch-webhook.js';
export {
  checkJobCallbackUrl,
  type JobCallbackInput,
  registerJobCallback,
} from './register-job-callback.js';
export { retryDelivery } from './retry-delivery.js';
export { MAX_ATTEMPTS, RETRY_SCHEDULE_MS } from './retry-policy.js';
export {
  DEFAULT_ROTATION_GRACE_MS,
  type RotateWebhookSecretInput,
  rotateWebhookSecret,
} from './rotate-webhook-secret.js';
export {
  createAesGcmSecretCipher,
  parseEncryptionKey,
  plaintextSecretCipher,
  type SecretCipher,
} from './secret-cipher.js';
export { assertWebhookUrlAllowed } from './ssrf-guard.js';
export { type TriggerWebhookInput, triggerBatchWebhook } from './trigger-batch-webhook.js';
export { WebhookEndpointInactiveError } from './webhook.errors.js';
export {
  EMPTY_ALLOW_LIST,
  parseWebhookAllowList,
  type WebhookAllowList,
} from './webhook-allow-list.js';
export {
  JOB_EVENT_TYPES,
  type JobEventType,
  PING_EVENT_TYPE,
  TERMINAL_JOB_EVENT_TYPES,
  type TerminalJobEventType,
} from './webhook-event-types.js';
export type { WebhookPayload } from './webhook-payload.js';
export {
  type RelayLogger,
  type RelayRoundReport,
  relayOnce,
  startWebhookRelay,
  type WebhookRelay,
  type WebhookRelayOptions,
} from './webhook-relay.js';
export { assertWebhookSecretValid, generateWebhookSecret } from './webhook-secret.js';
export {
  createWebhookSettings,
  secretCipherFor,
  type WebhookSettings,
  type WebhookSettingsInput,
} from './webhook-settings.js';
export type {
  WebhookDelivery,
  WebhookDeliveryAttempt,
  WebhookDeliveryStatus,
  WebhookSubscription,
  WebhookSubscriptionWithSecret,
} from './webhook-views.js';
