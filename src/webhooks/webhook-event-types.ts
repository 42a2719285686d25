/** Event types sent for a job's end: every terminal status has one. */
export const TERMINAL_JOB_EVENT_TYPES = [
  'job.completed',
  'job.failed',
  'job.cancelled',
  'job.expired',
] as const;

/** Every job event type a subscription may name; `job.progress` is opt-in. */
export const JOB_EVENT_TYPES = [...TERMINAL_JOB_EVENT_TYPES, 'job.progress'] as const;

export type TerminalJobEventType = (typeof TERMINAL_JOB_EVENT_TYPES)[number];
/** A job event type a subscription may name. */
export type JobEventType = (typeof JOB_EVENT_TYPES)[number];

/** The type of the test message `POST /v1/webhooks/:id/ping` sends; not subscribable. */
export const PING_EVENT_TYPE = 'webhook.ping';

/** Any type a webhook message may carry. */
export type WebhookEventType = JobEventType | typeof PING_EVENT_TYPE;

/** True for the four types a job's own callback receives. */
export function isTerminalJobEventType(type: string): type is TerminalJobEventType {
  return (TERMINAL_JOB_EVENT_TYPES as readonly string[]).includes(type);
}
