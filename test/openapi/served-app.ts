import type { SimulatorOptions } from '../../src/anthropic/simulator/simulator.options.js';
import { type HttpServer, startHttpServer } from '../../src/cli/serve/http-server.js';
import { loadConfig } from '../../src/config.js';
import { apiRoutes } from '../../src/http/api-routes.js';
import { buildTestApp } from '../http/test-app.js';
import { TestBed } from '../support/manager.js';

/** The one tenant's key. */
export const API_KEY = { tenant: 'acme', key: 'acme-key-0123456789' } as const;

/**
 * The app as `batchkeeper serve` mounts it (every module of `apiRoutes`, keys required), on a
 * real loopback port, over a fresh test database and the built-in simulator.
 */
export class ServedApp {
  private constructor(
    readonly bed: TestBed,
    readonly server: HttpServer,
  ) {}

  static async start(simulator: SimulatorOptions = {}): Promise<ServedApp> {
    const bed = await TestBed.open(simulator);
    const { db } = bed.database;
    const { app } = buildTestApp(bed.database, {
      apiKeys: [API_KEY],
      routes: apiRoutes({ db, config: loadConfig({}), manager: bed.manager() }),
    });
    return new ServedApp(bed, await startHttpServer(app.fetch, { port: 0, host: '127.0.0.1' }));
  }

  /** e.g. `http://127.0.0.1:41234`. */
  get url(): string {
    return this.server.url;
  }

  /** Where the OpenAPI document is served. */
  get documentUrl(): string {
    return `${this.server.url}/openapi.json`;
  }

  async document(): Promise<OpenApiDocument> {
    return (await (await fetch(this.documentUrl)).json()) as OpenApiDocument;
  }

  async close(): Promise<void> {
    await this.server.close(0);
    await this.bed.close();
  }
}

export interface MediaTypeObject {
  schema?: unknown;
  example?: unknown;
}

export interface OperationObject {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: unknown[];
  requestBody?: { content: Record<string, MediaTypeObject> };
  responses: Record<string, { content?: Record<string, MediaTypeObject> }>;
}

/** The parts of an OpenAPI 3.1 document these tests read. */
export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; license?: { name: string; url?: string } };
  servers?: { url: string; description?: string }[];
  tags?: { name: string; description?: string }[];
  security: unknown[];
  paths: Record<string, Record<string, OperationObject>>;
}

/** Every operation as `METHOD /path` with its object. */
export function operationsOf(document: OpenApiDocument): [string, OperationObject][] {
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(
      ([method, operation]) =>
        [`${method.toUpperCase()} ${path}`, operation] as [string, OperationObject],
    ),
  );
}
