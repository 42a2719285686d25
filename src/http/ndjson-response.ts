export interface TextStreamOptions {
  /** Called when reading `chunks` fails part-way; the body is then cut, never ended cleanly. */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * A response body of the text `chunks` (for NDJSON, chunks of whole lines; strings are UTF-8
 * encoded, bytes sent as they are),
 * pulled from `chunks` only as fast as the client reads: one chunk is asked for when the one
 * before has been handed to the socket (a pull stream holding one chunk, whose writer waits
 * for the socket to drain), so a slow reader never makes the server read ahead. A failure
 * part-way errors the stream, so the client sees a cut connection rather than a body that looks
 * complete; a client that goes away stops the iteration.
 */
export function textStream(
  chunks: AsyncIterable<string | Uint8Array>,
  options: TextStreamOptions = {},
): ReadableStream<Uint8Array> {
  const iterator = chunks[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        for (;;) {
          const next = await iterator.next();
          if (next.done) {
            controller.close();
            return;
          }
          if (next.value.length === 0) continue;
          controller.enqueue(
            typeof next.value === 'string' ? encoder.encode(next.value) : next.value,
          );
          return;
        }
      } catch (error) {
        options.onError?.(error);
        controller.error(error);
      }
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
