import {
  deleteWebhook,
  listWebhooks,
  type RegisterWebhookInput,
  registerBatchWebhook,
  type TriggerWebhookInput,
  triggerBatchWebhook,
  type WebhookSubscription,
  type WebhookSubscriptionWithSecret,
} from '../webhooks/index.js';
import type { ManagerRuntime } from './manager-runtime.js';

/** One tenant's webhook subscriptions, as the library offers them (POST /v1/webhooks and kin). */
export class TenantWebhooks {
  readonly #runtime: () => Promise<ManagerRuntime>;
  constructor(
    runtime: () => Promise<ManagerRuntime>,
    readonly tenant: string,
  ) {
    this.#runtime = runtime;
  }

  /**
   * Subscribes a URL to job events, for one job (`jobId`) or every job of the tenant.
   * The secret (given or generated) is returned this once.
   */
  async registerBatchWebhook(
    config: Omit<RegisterWebhookInput, 'tenant'>,
  ): Promise<WebhookSubscriptionWithSecret> {
    const { database, webhooks } = await this.#runtime();
    return registerBatchWebhook(database.db, { ...config, tenant: this.tenant }, webhooks);
  }

  /**
   * Sends an event now, signed, through the outbox (retried like any other): to one
   * subscription, or to a job's callback and the subscriptions that take this event type.
   */
  async triggerBatchWebhook(
    input: Omit<TriggerWebhookInput, 'tenant'>,
  ): Promise<{ deliveryIds: string[] }> {
    const { database, webhooks } = await this.#runtime();
    return triggerBatchWebhook(database.db, { ...input, tenant: this.tenant }, webhooks);
  }

  async listWebhooks(): Promise<WebhookSubscription[]> {
    const { database } = await this.#runtime();
    return listWebhooks(database.db, { tenant: this.tenant });
  }

  /** Nothing more is sent to it; its pending deliveries become dead. */
  async deleteWebhook(id: string): Promise<void> {
    const { database, webhooks } = await this.#runtime();
    await deleteWebhook(database.db, { tenant: this.tenant, id }, webhooks);
  }
}
