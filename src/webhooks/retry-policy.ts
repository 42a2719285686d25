import { parseRetryAfter } from '../domain/retry-after.js';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

/**
 * The wait before each attempt (Svix's schedule): the first at once, then 5 s, 5 min,
 * 30 min, 2 h, 5 h, 10 h, 10 h. Its length is the number of attempts before a message is dead.
 */
export const RETRY_SCHEDULE_MS: readonly number[] = [
  0,
  5 * SECOND,
  5 * MINUTE,
  30 * MINUTE,
  2 * HOUR,
  5 * HOUR,
  10 * HOUR,
  10 * HOUR,
];

/** Attempts a message gets before it is dead (default: 8). */
export const MAX_ATTEMPTS = RETRY_SCHEDULE_MS.length;

/** Each wait is moved by up to this fraction either way, so failed receivers are not hit in step. */
export const RETRY_JITTER = 0.2;

/** After a 429 or a timeout the next attempt waits at least this long. */
export const MIN_THROTTLED_RETRY_MS = MINUTE;

/** A receiver's Retry-After is honoured up to this long (the longest step of the schedule). */
export const MAX_RETRY_AFTER_MS = 10 * HOUR;

/** What one attempt came to, as far as the schedule cares. */
export type AttemptResult =
  | { kind: 'response'; statusCode: number; retryAfter?: string | undefined }
  | { kind: 'error'; timedOut: boolean };

/** What becomes of a message after an attempt. */
export type NextStep =
  | { status: 'delivered' }
  | { status: 'pending'; nextAttemptAt: Date }
  | { status: 'dead'; disableEndpoint: boolean };

export interface AttemptContext {
  /** Attempts made so far, this one included (1 after the first). */
  attemptsMade: number;
  maxAttempts: number;
  now: Date;
  /** A number in [0, 1) (default source: Math.random). */
  random: () => number;
}

/**
 * Decides what follows an attempt: 2xx is delivered; 410 Gone is dead and disables the
 * endpoint; anything else (3xx included: redirects are not followed) waits for the next
 * step of the schedule, jittered, at least a minute after a 429 or a timeout, and no sooner
 * than a Retry-After (up to MAX_RETRY_AFTER_MS); after the last attempt it is dead.
 */
export function decideNextStep(result: AttemptResult, context: AttemptContext): NextStep {
  if (result.kind === 'response' && result.statusCode >= 200 && result.statusCode < 300) {
    return { status: 'delivered' };
  }
  if (result.kind === 'response' && result.statusCode === 410) {
    return { status: 'dead', disableEndpoint: true };
  }
  if (context.attemptsMade >= context.maxAttempts)
    return { status: 'dead', disableEndpoint: false };
  let delay = jitter(scheduledDelay(context.attemptsMade), context.random);
  const throttled =
    (result.kind === 'response' && result.statusCode === 429) ||
    (result.kind === 'error' && result.timedOut);
  if (throttled) delay = Math.max(delay, MIN_THROTTLED_RETRY_MS);
  if (result.kind === 'response' && result.retryAfter !== undefined) {
    const asked = parseRetryAfter(result.retryAfter.trim(), context.now.getTime());
    if (asked !== undefined) delay = Math.max(delay, Math.min(asked, MAX_RETRY_AFTER_MS));
  }
  return { status: 'pending', nextAttemptAt: new Date(context.now.getTime() + Math.round(delay)) };
}

/** The unjittered wait before the attempt after `attemptsMade` attempts. */
export function scheduledDelay(attemptsMade: number): number {
  return RETRY_SCHEDULE_MS[attemptsMade] ?? RETRY_SCHEDULE_MS[RETRY_SCHEDULE_MS.length - 1]!;
}

/** `delay` moved by a factor in [1 - RETRY_JITTER, 1 + RETRY_JITTER). */
export function jitter(delay: number, random: () => number): number {
  return delay * (1 + (random() * 2 - 1) * RETRY_JITTER);
}
