/** Lines are gathered into chunks of about this many characters: fewer, larger writes. */
const CHUNK_CHARS = 64 * 1024;

export interface NdjsonStreamOptions {
  /** Called when reading `values` fails part-way; the body is then cut, never ended cleanly. */
  onError?: ((error: unknown) => void) | undefined;
}

/**
 * A response body of one JSON value a line, pulled from `values` only as fast as the client reads
 * (a pull stream: nothing is read ahead of the socket). A failure part-way errors the stream, so
 * the client sees a cut connection rather than a body that looks complete; a client that goes
 * away stops the iteration.
 */
export function ndjsonStream(
  values: AsyncIterable<unknown>,
  options: NdjsonStreamOptions = {},
): ReadableStream<Uint8Array> {
  const iterator = values[Symbol.asyncIterator]();
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk = '';
      try {
        while (chunk.length < CHUNK_CHARS) {
          const next = await iterator.next();
          if (next.done) {
            if (chunk !== '') controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          chunk += `${JSON.stringify(next.value)}\n`;
        }
      } catch (error) {
        options.onError?.(error);
        controller.error(error);
        return;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    async cancel() {
      await iterator.return?.();
    },
  });
}
