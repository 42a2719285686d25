import { EventSourceParserStream } from 'eventsource-parser/stream';

/** One Server-Sent Event: its `event:` name (default `message`) and its `data:` lines joined. */
export interface ServerSentEvent {
  event: string;
  data: string;
}

/**
 * Reads Server-Sent Events from a response body as they arrive (eventsource-parser: a line may
 * end in LF, CR or CRLF, split across chunks anywhere); comment lines (heartbeats) and fields
 * other than `event` and `data` are skipped, and so is an event without data. Stopping early
 * cancels the body.
 */
export async function* readServerSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<ServerSentEvent> {
  const events = body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(new EventSourceParserStream());
  for await (const message of events) {
    yield { event: message.event ?? 'message', data: message.data };
  }
}
