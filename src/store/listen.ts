import type { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { doublingDelay } from '../support/backoff.js';

/** What a listener is told: a notification's payload, or that some may have been missed. */
export interface ListenHandlers {
  notified(channel: string, payload: string): void;
  /** The connection was lost and is back: notifications sent meanwhile are gone, look again. */
  reconnected(): void;
  /** The connection failed; it is tried again (for the log). */
  failed?(error: unknown): void;
}

export interface Listening {
  close(): Promise<void>;
}

const RECONNECT_FIRST_MS = 250;
const RECONNECT_MOST_MS = 5_000;

/**
 * LISTEN on a connection of its own (never one of the pool's: behind a pooler in
 * transaction mode a session's LISTEN would be lost). When the connection drops it is
 * opened again with backoff, and `reconnected` says notifications may have been missed.
 */
export async function listenOnPostgres(
  url: string,
  channels: readonly string[],
  handlers: ListenHandlers,
): Promise<Listening> {
  let client: pg.Client | undefined;
  let closed = false;
  /** Reconnections tried since the connection was last up: each waits twice as long. */
  let retries = 0;
  let timer: NodeJS.Timeout | undefined;

  const connect = async (isReconnect: boolean): Promise<void> => {
    const next = new pg.Client({ connectionString: url });
    next.on('notification', (message) => handlers.notified(message.channel, message.payload ?? ''));
    next.on('error', (error) => {
      handlers.failed?.(error);
      lost(next);
    });
    next.on('end', () => lost(next));
    try {
      await next.connect();
      for (const channel of channels) await next.query(`listen ${pg.escapeIdentifier(channel)}`);
    } catch (error) {
      handlers.failed?.(error);
      next.end().catch(() => {});
      if (!isReconnect) throw error;
      schedule();
      return;
    }
    if (closed) {
      await next.end().catch(() => {});
      return;
    }
    client = next;
    retries = 0;
    if (isReconnect) handlers.reconnected();
  };
  const lost = (which: pg.Client) => {
    if (client !== which) return;
    client = undefined;
    schedule();
  };
  const schedule = () => {
    if (closed || timer) return;
    timer = setTimeout(
      () => {
        timer = undefined;
        void connect(true);
      },
      doublingDelay(retries, RECONNECT_FIRST_MS, RECONNECT_MOST_MS),
    );
    timer.unref();
    retries += 1;
  };

  await connect(false);
  return {
    close: async () => {
      closed = true;
      clearTimeout(timer);
      const current = client;
      client = undefined;
      await current?.end().catch(() => {});
    },
  };
}

/** LISTEN in an embedded PGlite: one process, so nothing can be missed. */
export async function listenOnPGlite(
  pglite: PGlite,
  channels: readonly string[],
  handlers: ListenHandlers,
): Promise<Listening> {
  const unsubscribes = await Promise.all(
    channels.map((channel) =>
      pglite.listen(channel, (payload) => handlers.notified(channel, payload)),
    ),
  );
  return { close: async () => void (await Promise.all(unsubscribes.map((u) => u()))) };
}
