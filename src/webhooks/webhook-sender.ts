import type http from 'node:http';
import { performance } from 'node:perf_hooks';
import { createGuardedLookup, type HostResolver } from './guarded-lookup.js';
import { createKeepAliveAgents } from './keep-alive-agents.js';
import { findUrlHostRefusal } from './ssrf-guard.js';
import { BlockedAddressError } from './webhook.errors.js';
import type { WebhookAllowList } from './webhook-allow-list.js';

/** How long one attempt may take, connection to last byte read (default: 15 s). */
export const DEFAULT_DELIVERY_TIMEOUT_MS = 15_000;
/** How much of a receiver's answer is read and kept (default: 20 kB). */
export const MAX_RESPONSE_EXCERPT_BYTES = 20 * 1024;
const USER_AGENT = 'batchkeeper-webhooks/1';

export interface WebhookSenderOptions {
  allowList: WebhookAllowList;
  /** Resolves host names before the guard checks them (default: the system resolver). */
  resolve?: HostResolver | undefined;
  timeoutMs?: number | undefined;
  maxResponseBytes?: number | undefined;
}

/** One POST to send. */
export interface WebhookRequest {
  url: string;
  body: string;
  headers: Record<string, string>;
}

/** What one attempt came to; a send never throws. */
export type SendOutcome =
  | {
      kind: 'response';
      statusCode: number;
      retryAfter: string | undefined;
      responseExcerpt: string;
      durationMs: number;
    }
  | {
      kind: 'error';
      timedOut: boolean;
      /** True when the SSRF guard refused the address: nothing was sent. */
      refused: boolean;
      error: string;
      durationMs: number;
    };

/** Sends webhook POSTs through the SSRF guard. */
export interface WebhookSender {
  send(request: WebhookRequest): Promise<SendOutcome>;
  /** Closes its sockets, kept-alive ones included. */
  close(): void;
}

/** A request on a reused socket that the receiver had just closed is sent again this often. */
const MAX_STALE_SOCKET_RETRIES = 2;

/**
 * An HTTP client for webhooks: POSTs through agents whose lookup refuses private addresses,
 * refuses private IP literals itself (Node connects to those without a lookup), follows no
 * redirect, gives up after `timeoutMs` and reads at most `maxResponseBytes` of the answer.
 * Connections are kept alive per host and reused; only a new connection looks the host up,
 * so every connection, and every request on it, goes to an address the guard passed.
 */
export function createWebhookSender(options: WebhookSenderOptions): WebhookSender {
  const agents = createKeepAliveAgents(createGuardedLookup(options.allowList, options.resolve));
  const timeoutMs = options.timeoutMs ?? DEFAULT_DELIVERY_TIMEOUT_MS;
  const maxResponseBytes = options.maxResponseBytes ?? MAX_RESPONSE_EXCERPT_BYTES;

  function send(request: WebhookRequest): Promise<SendOutcome> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const failed = (error: string, how: { timedOut?: boolean; refused?: boolean } = {}) =>
      ({
        kind: 'error',
        timedOut: how.timedOut ?? false,
        refused: how.refused ?? false,
        error,
        durationMs: elapsed(),
      }) satisfies SendOutcome;
    let url: URL;
    try {
      url = new URL(request.url);
    } catch {
      return Promise.resolve(failed('the URL is not valid'));
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return Promise.resolve(failed(`the scheme ${url.protocol} is not http or https`));
    }
    const refusal = findUrlHostRefusal(url, options.allowList);
    if (refusal) return Promise.resolve(failed(refusal.message, { refused: true }));

    return new Promise<SendOutcome>((resolve) => {
      let settled = false;
      let req: http.ClientRequest | undefined;
      let response: http.IncomingMessage | undefined;
      const chunks: Buffer[] = [];
      let kept = 0;
      const finish = (outcome: SendOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        resolve(outcome);
      };
      const finishWithResponse = (res: http.IncomingMessage) =>
        finish({
          kind: 'response',
          statusCode: res.statusCode ?? 0,
          retryAfter: headerValue(res.headers['retry-after']),
          responseExcerpt: excerpt(Buffer.concat(chunks)),
          durationMs: elapsed(),
        });

      const { agent, request: httpRequest } = agents.forUrl(url);
      const post = (staleRetriesLeft: number) => {
        const current = httpRequest(
          url,
          {
            method: 'POST',
            agent,
            headers: {
              'content-type': 'application/json',
              'content-length': String(Buffer.byteLength(request.body)),
              'user-agent': USER_AGENT,
              ...request.headers,
            },
          },
          (res) => {
            response = res;
            res.on('data', (chunk: Buffer) => {
              const room = maxResponseBytes - kept;
              if (room > 0) {
                chunks.push(chunk.subarray(0, room));
                kept += Math.min(room, chunk.length);
              }
              // Enough is kept: stop reading a receiver that talks too much.
              if (kept >= maxResponseBytes) res.destroy();
            });
            res.on('close', () => finishWithResponse(res));
          },
        );
        req = current;
        current.on('error', (error: NodeJS.ErrnoException) => {
          // A kept-alive socket the receiver closed as we reused it: nothing was answered, so
          // the message goes again on a fresh connection (receivers drop duplicates by id).
          if (
            !settled &&
            !response &&
            current.reusedSocket &&
            staleRetriesLeft > 0 &&
            STALE_SOCKET_CODES.has(error.code ?? '')
          ) {
            return post(staleRetriesLeft - 1);
          }
          finish(failed(error.message, { refused: error instanceof BlockedAddressError }));
        });
        current.end(request.body);
      };
      const timer = setTimeout(() => {
        // The status is what counts: once it has arrived, a slow body only loses its tail.
        if (response) {
          response.destroy();
          finishWithResponse(response);
        } else {
          req?.destroy();
          finish(failed(`no response within ${timeoutMs} ms`, { timedOut: true }));
        }
      }, timeoutMs);
      post(MAX_STALE_SOCKET_RETRIES);
    });
  }

  return {
    send,
    close: () => agents.destroy(),
  };
}

/** How a reused socket that the receiver had closed fails. */
const STALE_SOCKET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED']);

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

// Postgres text cannot hold NUL; a cut multi-byte character becomes U+FFFD.
function excerpt(body: Buffer): string {
  return body.toString('utf8').replaceAll('\u0000', '\uFFFD');
}
