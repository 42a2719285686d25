import { EventSourceParserStream } from 'eventsource-parser/stream';
import { call } from './api-client.js';
import type { JobStreamData } from './types.js';

export type JobStreamMessage =
  | { kind: 'status' | 'progress'; data: JobStreamData }
  | { kind: 'deleted' }
  | { kind: 'error'; message: string };

/**
 * Follows `GET /v1/jobs/:id/stream`, read with fetch (so the key travels in a header, which
 * EventSource cannot send), until the stream ends or `signal` aborts.
 */
export async function followJobStream(
  jobId: string,
  onMessage: (message: JobStreamMessage) => void,
  signal: AbortSignal,
): Promise<void> {
  const response = await call(`/v1/jobs/${encodeURIComponent(jobId)}/stream`, {
    accept: 'text/event-stream',
    signal,
  });
  if (!response.body) return;
  const events = response.body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  const reader = events.getReader();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      const message = toMessage(value.event, value.data);
      if (message) onMessage(message);
    }
  } finally {
    reader.releaseLock();
  }
}

function toMessage(event: string | undefined, data: string): JobStreamMessage | null {
  switch (event) {
    case 'status':
    case 'progress':
      return { kind: event, data: JSON.parse(data) as JobStreamData };
    case 'deleted':
      return { kind: 'deleted' };
    case 'error':
      return { kind: 'error', message: (JSON.parse(data) as { message: string }).message };
    default:
      return null; // an event kind added later: ignored
  }
}

/**
 * Keeps following a job: reconnects after an `error` or a dropped connection (a new stream
 * starts with the job as it is), stops at a terminal status, `deleted`, or `signal`.
 */
export async function followJobLive(
  jobId: string,
  onData: (data: JobStreamData | null) => void,
  signal: AbortSignal,
  isFinal: (data: JobStreamData) => boolean,
): Promise<void> {
  let finished = false;
  while (!finished && !signal.aborted) {
    try {
      await followJobStream(
        jobId,
        (message) => {
          if (message.kind === 'deleted') {
            finished = true;
            onData(null);
          } else if (message.kind === 'status' || message.kind === 'progress') {
            onData(message.data);
            if (isFinal(message.data)) finished = true;
          }
        },
        signal,
      );
    } catch {
      if (signal.aborted) return;
    }
    if (!finished && !signal.aborted) await pause(2000, signal);
  }
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
