import { describe, expect, it } from 'vitest';
import { readServerSentEvents, type ServerSentEvent } from '../../src/cli/sse-events.js';

/** A body that arrives in exactly these chunks. */
function body(chunks: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(encoder.encode(chunk));
      controller.close();
    },
  });
}

async function eventsOf(chunks: string[]): Promise<ServerSentEvent[]> {
  const events: ServerSentEvent[] = [];
  for await (const event of readServerSentEvents(body(chunks))) events.push(event);
  return events;
}

describe('readServerSentEvents', () => {
  it('reads an event whose CRLF is cut between two chunks', async () => {
    expect(await eventsOf(['event: status\r', '\ndata: {"a":1}\r\n\r\n'])).toEqual([
      { event: 'status', data: '{"a":1}' },
    ]);
  });

  it('joins data lines, names an unnamed event message, and skips comments and empty events', async () => {
    const stream = [': heartbeat\n\n', 'event: ping\n\n', 'data: one\ndata: two\nid: 7\n\n'];
    expect(await eventsOf(stream)).toEqual([{ event: 'message', data: 'one\ntwo' }]);
  });

  it('takes lines ended by a lone CR', async () => {
    expect(await eventsOf(['event: progress\rdata: x\r\r', ': heartbeat\n'])).toEqual([
      { event: 'progress', data: 'x' },
    ]);
  });

  it('drops an event the stream ended in the middle of', async () => {
    expect(await eventsOf(['data: whole\n\n', 'data: cut'])).toEqual([
      { event: 'message', data: 'whole' },
    ]);
  });
});
