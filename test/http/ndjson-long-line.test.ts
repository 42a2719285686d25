import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_NDJSON_LINE_BYTES } from '../../src/http/ndjson-body.js';
import { JobsApiHarness, request } from './jobs-harness.js';

const CHUNK = new TextEncoder().encode('x'.repeat(64 * 1024));

/** An NDJSON body: one good line, then a line of `chunks` 64 KiB chunks; counts what was read. */
function bodyWithLongLine(chunks: number) {
  const read = { chunks: 0 };
  let sent = -1;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === -1) {
        controller.enqueue(new TextEncoder().encode(`${JSON.stringify(request('first'))}\n`));
      } else if (sent < chunks) {
        read.chunks += 1;
        controller.enqueue(CHUNK);
      } else {
        controller.close();
      }
      sent += 1;
    },
  });
  return { body, read };
}

describe('an NDJSON line longer than one request may be', () => {
  let api: JobsApiHarness;
  beforeAll(async () => {
    api = await JobsApiHarness.open({
      manager: { worker: false },
      api: { maxNdjsonBodyBytes: 256 * 1024 * 1024 },
    });
  });
  afterAll(() => api.close());

  it('is refused with 413 naming the line once it passes 32 MiB, the rest left unread', async () => {
    expect(MAX_NDJSON_LINE_BYTES).toBe(32 * 1024 * 1024);
    const before = await api.snapshot();
    const chunksFor32MiB = MAX_NDJSON_LINE_BYTES / CHUNK.length;
    const { body, read } = bodyWithLongLine(chunksFor32MiB * 2);
    const response = await api.call('POST', '/v1/jobs', {
      body,
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({
      error: {
        type: 'request_too_large',
        message: `line 2 is longer than ${MAX_NDJSON_LINE_BYTES} bytes, the most one request may be`,
      },
    });
    // Refused at the first chunk past the limit: a stream reads a little ahead, never the rest.
    expect(read.chunks).toBeGreaterThan(chunksFor32MiB);
    expect(read.chunks).toBeLessThan(chunksFor32MiB + 8);
    expect(await api.snapshot()).toEqual(before);
  });
});
