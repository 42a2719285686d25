import { ApiError } from '../api/api-error.js';
import { type FeedEvent, followFeed, readFeedEnd } from '../api/event-feed.js';

/** Where the page's one connection to the event feed stands. */
export type FeedState = 'connecting' | 'live' | 'reconnecting';

/** The server sends a heartbeat after 15 s of quiet; three missed ones mean the connection is dead. */
const SILENCE_MS = 45_000;

/** Waits between attempts to open the feed: 0.5 s, doubling, at most 10 s. */
export function reconnectDelayMs(failures: number): number {
  return Math.min(500 * 2 ** failures, 10_000);
}

export interface LiveFeedHandlers {
  onState: (state: FeedState) => void;
  onEvent: (event: FeedEvent) => void;
  /** The feed starts from a fresh end (first, or after a cursor it refused): read the list again. */
  onRestart: () => void;
}

/**
 * Follows the tenant's event feed until `signal` aborts or the API says 401 (the app then asks for
 * a key). A dropped connection is opened again after the last cursor seen, so no event is lost
 * or seen twice.
 */
export async function runLiveFeed(handlers: LiveFeedHandlers, signal: AbortSignal): Promise<void> {
  let cursor: string | null = null;
  let failures = 0;
  handlers.onState('connecting');
  while (!signal.aborted) {
    try {
      if (cursor === null) {
        cursor = await readFeedEnd(signal);
        // Read after the end was found: what the list misses, the feed brings.
        handlers.onRestart();
      }
      await followFeed(
        cursor,
        {
          onOpen: () => {
            failures = 0;
            handlers.onState('live');
          },
          onEvent: (event) => {
            cursor = event.cursor;
            handlers.onEvent(event);
          },
        },
        signal,
        SILENCE_MS,
      );
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof ApiError && error.status === 401) return;
      if (error instanceof ApiError && error.status === 400) cursor = null;
    }
    if (signal.aborted) return;
    handlers.onState('reconnecting');
    await pause(reconnectDelayMs(failures++), signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        resolve();
      },
      { once: true },
    );
  });
}
