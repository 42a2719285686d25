import type { Logger } from 'pino';

/** What every request carries once the middleware has run (Hono `c.var`). */
export interface AppEnv {
  Variables: {
    /** The tenant the caller's API key belongs to (`default` when the server runs open). */
    tenant: string;
    /** The request id, echoed in the `request-id` response header and on every log line. */
    requestId: string;
    /** A pino child logger bound to this request. */
    logger: Logger;
  };
}
