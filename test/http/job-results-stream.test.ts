import { describe, expect, it } from 'vitest';
import { textStream } from '../../src/http/ndjson-response.js';

async function* chunks(
  texts: string[],
  options: { thenThrow?: Error; onReturn?: () => void } = {},
) {
  try {
    yield* texts;
    if (options.thenThrow) throw options.thenThrow;
  } finally {
    options.onReturn?.();
  }
}

describe('textStream, the body of the results route', () => {
  it('writes the chunks as they are, UTF-8 encoded', async () => {
    const text = await new Response(textStream(chunks(['{"n":0}\n', '{"n":"é"}\n']))).text();
    expect(text).toBe('{"n":0}\n{"n":"é"}\n');
  });

  it('writes nothing for no chunks, or empty ones', async () => {
    expect(await new Response(textStream(chunks([]))).text()).toBe('');
    expect(await new Response(textStream(chunks(['', '']))).text()).toBe('');
  });

  it('errors the body when the source fails, so it never looks complete', async () => {
    const failure = new Error('database went away');
    const reported: unknown[] = [];
    const body = textStream(chunks(['a\n'], { thenThrow: failure }), {
      onError: (error) => reported.push(error),
    });
    await expect(new Response(body).text()).rejects.toBe(failure);
    expect(reported).toEqual([failure]);
  });

  it('reads the source only as the client pulls, and stops it when the client goes', async () => {
    let stopped = false;
    let produced = 0;
    async function* endless() {
      try {
        for (;;) {
          produced += 1;
          yield 'x'.repeat(1000);
        }
      } finally {
        stopped = true;
      }
    }
    const reader = textStream(endless()).getReader();
    await reader.read();
    await reader.read();
    // Two chunks taken; the stream holds at most one more ahead of the reader.
    expect(produced).toBeLessThanOrEqual(3);
    await reader.cancel();
    expect(stopped).toBe(true);
  });
});
