import type {
  WebhookDelivery,
  WebhookSubscription,
  WebhookSubscriptionWithSecret,
} from '../webhooks/webhook-views.js';

/** A subscription as the API shows it: times as ISO strings. */
export function subscriptionToJson(subscription: WebhookSubscription) {
  return {
    ...subscription,
    createdAt: subscription.createdAt.toISOString(),
    disabledAt: subscription.disabledAt?.toISOString() ?? null,
    previousSecretExpiresAt: subscription.previousSecretExpiresAt?.toISOString() ?? null,
  };
}

/** A subscription with the secret it is shown once with. */
export function withSecretToJson({ subscription, secret }: WebhookSubscriptionWithSecret) {
  return { ...subscriptionToJson(subscription), secret };
}

/** A delivery and its attempts as the API shows them. */
export function deliveryToJson(delivery: WebhookDelivery) {
  return {
    ...delivery,
    nextAttemptAt: delivery.nextAttemptAt?.toISOString() ?? null,
    createdAt: delivery.createdAt.toISOString(),
    deliveredAt: delivery.deliveredAt?.toISOString() ?? null,
    attempts: delivery.attempts.map((attempt) => ({
      ...attempt,
      attemptedAt: attempt.attemptedAt.toISOString(),
    })),
  };
}
