import { EventSourceParserStream } from 'eventsource-parser/stream';
import { call, getJson, query } from './api-client.js';
import type { components } from './openapi.generated.js';

/** One event of the tenant's feed, `GET /v1/events`. */
export type FeedEvent = components['schemas']['FeedEvent'];
type FeedPage = components['schemas']['FeedPage'];

/** The feed said it failed (`event: error`) or fell silent: connect again from the last cursor. */
export class FeedInterrupted extends Error {
  override readonly name = 'FeedInterrupted';
}

/**
 * The cursor after the newest event the feed may show now (`GET /v1/events?after=end`: an empty
 * page, one indexed read however long the log). Taken before following, so that a connection
 * that drops before its first event resumes from it, not from a later end.
 */
export async function readFeedEnd(signal: AbortSignal): Promise<string> {
  // Not aborted mid-read: a refusal (401) aborted while its body is read would be announced
  // without the API's message.
  const page = await getJson<FeedPage>(`/v1/events${query({ after: 'end' })}`);
  signal.throwIfAborted();
  return page.next;
}

export interface FeedHandlers {
  /** The server answered: events follow from here. */
  onOpen: () => void;
  onEvent: (event: FeedEvent) => void;
}

/**
 * Follows `GET /v1/events?follow=true&after=CURSOR` over one connection, read with fetch (so the
 * key travels in a header, which EventSource cannot send). Resolves when the server ends the
 * stream; throws when it cannot be opened, breaks, says `error`, or sends nothing (not even a
 * heartbeat) for `silenceMs`.
 */
export async function followFeed(
  after: string,
  handlers: FeedHandlers,
  signal: AbortSignal,
  silenceMs: number,
): Promise<void> {
  const connection = new AbortController();
  const stop = () => connection.abort();
  signal.addEventListener('abort', stop, { once: true });
  let watchdog: ReturnType<typeof setTimeout> | undefined;
  // A connection can die without a word (a sleeping laptop, a dropped route): heartbeats prove it is alive.
  const heard = () => {
    clearTimeout(watchdog);
    watchdog = setTimeout(
      () => connection.abort(new FeedInterrupted('the event feed fell silent')),
      silenceMs,
    );
  };
  heard();
  try {
    const response = await call(`/v1/events${query({ follow: 'true', after })}`, {
      accept: 'text/event-stream',
      signal: connection.signal,
    });
    if (!response.body) throw new FeedInterrupted('the event feed sent no body');
    handlers.onOpen();
    heard();
    const messages = response.body
      .pipeThrough(new TextDecoderStream())
      .pipeThrough(new EventSourceParserStream({ onComment: heard }));
    const reader = messages.getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return;
        heard();
        if (value.event === 'event') handlers.onEvent(JSON.parse(value.data) as FeedEvent);
        else if (value.event === 'error') throw new FeedInterrupted(feedErrorMessage(value.data));
        // another kind, added later: ignored
      }
    } finally {
      reader.releaseLock();
    }
  } catch (error) {
    if (connection.signal.reason instanceof FeedInterrupted) throw connection.signal.reason;
    throw error;
  } finally {
    clearTimeout(watchdog);
    signal.removeEventListener('abort', stop);
    connection.abort();
  }
}

function feedErrorMessage(data: string): string {
  try {
    return (JSON.parse(data) as { message?: string }).message ?? 'the event feed failed';
  } catch {
    return 'the event feed failed';
  }
}
