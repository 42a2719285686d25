const CHUNK_BYTES = 64 * 1024;

/** Where to cut a download, and how to cut the connection under it. */
export interface DownloadCut {
  afterLines: number;
  /** Ends the connection once what was written has gone out. */
  hangUp: () => void;
}

/**
 * A response body that writes `lines` as the client reads them, about 64 KB
 * at a time, so a 100,000-line results file is never whole in memory. With a
 * `cut`, the download stops half-way through the line after `afterLines` and
 * the connection is hung up, as a dropped connection would leave it.
 */
export function jsonlBody(lines: Iterable<string>, cut?: DownloadCut): ReadableStream<Uint8Array> {
  const iterator = lines[Symbol.iterator]();
  const encoder = new TextEncoder();
  let sent = 0;
  let torn = false;
  return new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (torn) {
          cut?.hangUp();
          // Never settles: the stream stays open until the closed connection cancels it.
          return new Promise<void>(() => {});
        }
        let chunk = '';
        while (chunk.length < CHUNK_BYTES) {
          const next = iterator.next();
          if (next.done) {
            if (chunk) controller.enqueue(encoder.encode(chunk));
            controller.close();
            return;
          }
          if (cut && sent >= cut.afterLines) {
            chunk += next.value.slice(0, Math.floor(next.value.length / 2));
            torn = true;
            break;
          }
          chunk += next.value;
          sent += 1;
        }
        controller.enqueue(encoder.encode(chunk));
      },
      cancel() {
        iterator.return?.();
      },
    },
    // No read-ahead: a chunk is made only once the last one was written (so a cut comes after it).
    { highWaterMark: 0 },
  );
}
