import type { IncomingMessage, Server } from 'node:http';
import { isBodyTooSlow } from './body-rate.js';

interface Watched {
  request: IncomingMessage;
  /** When the current window began, and the socket's byte count then. */
  since: number;
  bytesAtStart: number;
}

export interface BodyRateGuardOptions {
  minBytesPerSecond: number;
  graceMs: number;
  checkEveryMs: number;
  /** Told of each connection cut (for a log line). */
  onCut?: ((request: IncomingMessage) => void) | undefined;
}

/**
 * Cuts the connection of a request whose body arrives too slowly (isBodyTooSlow). A body is
 * watched until it has been received whole; a request without one is complete at once. While
 * the server has not read what arrived (its own backpressure: bytes wait in the request's
 * buffer), the window starts again, so only the client's pace is judged. The count is the
 * socket's bytes read, which never needs the body to be consumed here. Returns a stop function.
 */
export function guardBodyRate(server: Server, options: BodyRateGuardOptions): () => void {
  const watched = new Set<Watched>();
  const onRequest = (request: IncomingMessage) => {
    const entry: Watched = { request, since: Date.now(), bytesAtStart: request.socket.bytesRead };
    watched.add(entry);
    const forget = () => watched.delete(entry);
    request.once('end', forget);
    request.once('close', forget);
  };
  const check = () => {
    const now = Date.now();
    for (const entry of watched) {
      const { request } = entry;
      if (request.complete || request.socket.destroyed) {
        watched.delete(entry);
        continue;
      }
      const bytes = request.socket.bytesRead - entry.bytesAtStart;
      if (request.readableLength > 0) {
        entry.since = now;
        entry.bytesAtStart = request.socket.bytesRead;
        continue;
      }
      const progress = { bytes, elapsedMs: now - entry.since };
      if (isBodyTooSlow(progress, options)) {
        watched.delete(entry);
        options.onCut?.(request);
        request.socket.destroy();
      }
    }
  };
  server.on('request', onRequest);
  const timer = setInterval(check, options.checkEveryMs);
  timer.unref();
  return () => {
    clearInterval(timer);
    server.off('request', onRequest);
    watched.clear();
  };
}
