const CHUNK_BYTES = 64 * 1024;

/**
 * A response body that writes `lines` as the client reads them, about 64 KB
 * at a time, so a 100,000-line results file is never whole in memory. With
 * `cutAfterLines`, the stream fails there, half-way through the next line.
 */
export function jsonlBody(
  lines: Iterable<string>,
  cutAfterLines?: number,
): ReadableStream<Uint8Array> {
  const iterator = lines[Symbol.iterator]();
  const encoder = new TextEncoder();
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      let chunk = '';
      while (chunk.length < CHUNK_BYTES) {
        if (cutAfterLines !== undefined && sent >= cutAfterLines) {
          // Cut in the middle of a line, as a dropped connection would.
          const torn = iterator.next();
          if (!torn.done) chunk += torn.value.slice(0, Math.floor(torn.value.length / 2));
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.error(new Error('results download cut (injected fault)'));
          return;
        }
        const next = iterator.next();
        if (next.done) {
          if (chunk) controller.enqueue(encoder.encode(chunk));
          controller.close();
          return;
        }
        chunk += next.value;
        sent += 1;
      }
      controller.enqueue(encoder.encode(chunk));
    },
    cancel() {
      iterator.return?.();
    },
  });
}
