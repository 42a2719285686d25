import type { Logger } from 'pino';

/** What every request carries once the middleware has run (Hono `c.var`). */
export interface AppEnv {
  Variables: {
    /** The tenant the caller's API key belongs to (`default` when the server runs open). */
    tenant: string;
    /**
     * The id of the caller's API key as events record it (never the key): a fingerprint of its
     * hash, `sha256:` and 16 hex digits (the start of api_keys.key_hash); unset when open.
     */
    apiKeyId?: string | undefined;
    /** The request id, echoed in the `request-id` response header and on every log line. */
    requestId: string;
    /** A pino child logger bound to this request. */
    logger: Logger;
  };
}
