import type { OpenAPIHono } from '@hono/zod-openapi';
import type { AuthMode, ConfiguredApiKey } from '../../src/config.js';
import { createApp } from '../../src/http/app.js';
import type { AppEnv } from '../../src/http/app-env.js';
import type { StoredApiKeysOptions } from '../../src/http/stored-api-keys.js';
import { createLogger } from '../../src/observability/logger.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';

/** Every JSON line a logger wrote, parsed. */
export class LogCapture {
  readonly lines: Record<string, unknown>[] = [];
  readonly raw: string[] = [];
  /** A pino destination. */
  readonly stream = {
    write: (text: string) => {
      for (const line of text.split('\n').filter(Boolean)) {
        this.raw.push(line);
        this.lines.push(JSON.parse(line));
      }
    },
  };

  /** Lines logged for one request. */
  forRequest(requestId: string) {
    return this.lines.filter((line) => line.requestId === requestId);
  }
}

export interface TestAppOptions {
  apiKeys?: ConfiguredApiKey[];
  /** (default: `keys` when `apiKeys` are given, else `open`) */
  authMode?: AuthMode;
  maxJsonBodyBytes?: number;
  routes?: OpenAPIHono<AppEnv>[];
  isShuttingDown?: () => boolean;
  storedKeys?: Omit<StoredApiKeysOptions, 'db'>;
}

/** The real app over a test database, logging into a capture. */
export function buildTestApp(database: DatabaseHandle, options: TestAppOptions = {}) {
  const logs = new LogCapture();
  const app = createApp({
    db: database.db,
    logger: createLogger({ level: 'debug', destination: logs.stream }),
    config: {
      apiKeys: options.apiKeys ?? [],
      http: { maxJsonBodyBytes: options.maxJsonBodyBytes ?? 10 * 1024 * 1024 },
    },
    authMode: options.authMode ?? (options.apiKeys?.length ? 'keys' : 'open'),
    ...(options.isShuttingDown ? { isShuttingDown: options.isShuttingDown } : {}),
    routes: options.routes ?? [],
    storedKeys: options.storedKeys,
  });
  return { app, logs };
}
