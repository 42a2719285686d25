import { describe, expect, it } from 'vitest';
import { ndjsonStream } from '../../src/http/ndjson-response.js';

async function* values(count: number, options: { thenThrow?: Error; onReturn?: () => void } = {}) {
  try {
    for (let i = 0; i < count; i++) yield { n: i };
    if (options.thenThrow) throw options.thenThrow;
  } finally {
    options.onReturn?.();
  }
}

describe('ndjsonStream, the body of the results route', () => {
  it('writes one JSON value a line', async () => {
    const text = await new Response(ndjsonStream(values(3))).text();
    expect(text).toBe('{"n":0}\n{"n":1}\n{"n":2}\n');
  });

  it('writes nothing for no values', async () => {
    expect(await new Response(ndjsonStream(values(0))).text()).toBe('');
  });

  it('errors the body when the source fails, so it never looks complete', async () => {
    const failure = new Error('database went away');
    const reported: unknown[] = [];
    const body = ndjsonStream(values(5, { thenThrow: failure }), {
      onError: (error) => reported.push(error),
    });
    await expect(new Response(body).text()).rejects.toBe(failure);
    expect(reported).toEqual([failure]);
  });

  it('reads the source only as the client pulls, and stops it when the client goes', async () => {
    let stopped = false;
    let produced = 0;
    async function* counting() {
      try {
        for (;;) {
          produced += 1;
          yield { filler: 'x'.repeat(1000) };
        }
      } finally {
        stopped = true;
      }
    }
    const reader = ndjsonStream(counting()).getReader();
    await reader.read();
    const afterOneChunk = produced;
    await reader.cancel();
    expect(stopped).toBe(true);
    // A chunk is about 64 KiB (some 65 values here); the stream holds at most one chunk ahead.
    expect(afterOneChunk).toBeLessThan(4 * 65);
  });
});
