import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { HttpLoadOptions } from './http-load.js';
import { ID_PLACEHOLDER } from './job-bodies.js';

/**
 * The load generator of the HTTP benchmarks, in a process of its own: autocannon with the
 * options given as JSON in argv[2]; prints autocannon's result as one JSON line.
 * Run by http-load.ts as `bin/run-ts bench/edges/http-load.child.ts '<options json>'`.
 */

interface AutocannonRequest {
  method?: string;
  body?: string;
  headers?: Record<string, string>;
}
type Autocannon = (options: {
  url: string;
  connections: number;
  duration?: number;
  amount?: number;
  method: string;
  headers?: Record<string, string>;
  body?: string;
  requests?: { setupRequest: (request: AutocannonRequest) => AutocannonRequest }[];
}) => Promise<unknown>;

// autocannon ships no types.
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

const options = JSON.parse(process.argv[2] ?? '') as HttpLoadOptions;
const body = options.bodyFile ? readFileSync(options.bodyFile, 'utf8') : undefined;
const prefix = randomBytes(6).toString('hex');
let sent = 0;
// A body of its own per request (autocannon's --idReplacement miscounts Content-Length for
// its own ids): the placeholder becomes `<random prefix><counter>`, valid in a custom_id.
const uniqueBody = (request: AutocannonRequest) => {
  request.body = body?.replaceAll(ID_PLACEHOLDER, `${prefix}${sent++}`);
  return request;
};

const result = await autocannon({
  url: options.url,
  connections: options.connections,
  ...('seconds' in options.length
    ? { duration: options.length.seconds }
    : { amount: options.length.requests }),
  method: options.method ?? 'GET',
  ...(body !== undefined && { body, headers: { 'content-type': 'application/json' } }),
  ...(options.uniqueIds && { requests: [{ setupRequest: uniqueBody }] }),
});
console.log(JSON.stringify(result));
