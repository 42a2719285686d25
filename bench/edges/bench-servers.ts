import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerProcess, startServerProcess } from './server-process.js';

const BATCHKEEPER = fileURLToPath(new URL('../../bin/batchkeeper', import.meta.url));
const RUN_TS = fileURLToPath(new URL('../../bin/run-ts', import.meta.url));
const here = (file: string) => fileURLToPath(new URL(file, import.meta.url));

/** `listening http://…`, as the benchmark's own servers print it. */
const listeningLine = (line: string) => /^listening (http:\/\/\S+)$/.exec(line)?.[1];

/**
 * `batchkeeper serve --no-worker` on `databaseUrl`, as an operator runs the API alone: open
 * (no API keys) on a free loopback port, logging at the default level. No Anthropic call is
 * made without the worker, so the key and URL are placeholders that go nowhere.
 */
export function startServe(databaseUrl: string): Promise<ServerProcess> {
  const { BATCHKEEPER_API_KEYS: _keys, LOG_LEVEL: _level, ...inherited } = process.env;
  return startServerProcess({
    name: 'batchkeeper serve',
    command: process.execPath,
    args: [BATCHKEEPER, 'serve', '--no-worker'],
    env: {
      ...inherited,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      ANTHROPIC_API_KEY: 'sk-ant-bench-unused',
      ANTHROPIC_BASE_URL: 'http://127.0.0.1:9',
      BATCHKEEPER_INSTANCE_ID: 'bench-serve',
      // create-job piles up pending jobs (no worker): the queue limit must not answer 429.
      BATCHKEEPER_MAX_QUEUE_SIZE: String(10_000_000),
    },
    urlFromLine: (line) => {
      if (!line.startsWith('{')) return undefined;
      const entry = JSON.parse(line) as { msg?: string; url?: string };
      return entry.msg?.startsWith('listening on ') ? entry.url : undefined;
    },
  });
}

/**
 * The HTTP peer (`constant-hono.server.ts`): every `method` request answered `status` with
 * `body`; a POST's JSON body is parsed first.
 */
export async function startConstantHono(
  method: 'GET' | 'POST',
  status: number,
  body: Uint8Array,
): Promise<ServerProcess> {
  const bodyFile = join(tmpdir(), `batchkeeper-bench-${randomBytes(4).toString('hex')}.json`);
  await writeFile(bodyFile, body);
  try {
    return await startServerProcess({
      name: 'constant Hono server',
      command: process.execPath,
      args: [RUN_TS, here('./constant-hono.server.ts'), method, String(status), bodyFile],
      env: process.env,
      urlFromLine: listeningLine,
    });
  } finally {
    // It reads the file before it listens.
    await rm(bodyFile, { force: true });
  }
}

/** The relay benchmark's receiver (`webhook-receiver.server.ts`): 200 to every POST. */
export function startWebhookReceiver(): Promise<ServerProcess> {
  return startServerProcess({
    name: 'webhook receiver',
    command: process.execPath,
    args: [RUN_TS, here('./webhook-receiver.server.ts')],
    env: process.env,
    urlFromLine: listeningLine,
  });
}
