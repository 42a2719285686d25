/** The Message Batches API's limits on one batch (the same on every tier). */
export const MESSAGE_BATCH_LIMITS = {
  /** Requests in one batch. */
  maxRequests: 100_000,
  /** Bytes of one create request's body. */
  maxBodyBytes: 256 * 1024 * 1024,
  /** How long Anthropic works on a batch before the rest of it expires. */
  expiresAfterMs: 24 * 60 * 60 * 1000,
  /** How long after creation a batch's results are kept. */
  archivedAfterMs: 29 * 24 * 60 * 60 * 1000,
} as const;

/** `limit` on a list call: 1..1000, 20 when absent. */
export const LIST_LIMITS = { min: 1, max: 1000, default: 20 } as const;
