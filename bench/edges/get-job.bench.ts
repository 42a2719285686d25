import { type Benchmark, type Figure, formatNumber } from '../harness/figure.js';
import { median, openBenchDatabase, perRoundRatios } from '../support.js';
import { startConstantHono, startServe } from './bench-servers.js';
import { createJobBody } from './job-bodies.js';
import { routeRates } from './route-rates.js';
import type { ServerProcess } from './server-process.js';

const CONNECTIONS = 20;
const REQUESTS_PER_JOB = 10;

/**
 * `GET /v1/jobs/:id` of a real job through `batchkeeper serve --no-worker`, against a
 * constant-answer Hono route on @hono/node-server that sends the same bytes; each server in
 * a process of its own, loaded by autocannon from a third.
 */
export const benchGetJob: Benchmark = async ({ quick }) => {
  const secondsPerRound = quick ? 2 : 10;
  const database = await openBenchDatabase(2);
  let serve: ServerProcess | undefined;
  let peer: ServerProcess | undefined;
  try {
    serve = await startServe(database.url!);
    const created = await fetch(`${serve.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: createJobBody(REQUESTS_PER_JOB, 'get-job'),
    });
    if (created.status !== 201) throw new Error(`POST /v1/jobs answered ${created.status}`);
    const path = `/v1/jobs/${((await created.json()) as { id: string }).id}`;
    const answer = await fetch(`${serve.url}${path}`);
    const body = new Uint8Array(await answer.arrayBuffer());
    if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}`);
    peer = await startConstantHono('GET', 200, body);

    const rates = await routeRates({
      urls: { ours: `${serve.url}${path}`, peer: `${peer.url}${path}` },
      load: { connections: CONNECTIONS },
      warmUpRequests: quick ? 300 : 2_000,
      rounds: quick ? 2 : 4,
      secondsPerRound,
    });
    const figure: Figure = {
      benchmark: 'get-job',
      name: `GET /v1/jobs/:id, ${CONNECTIONS} connections, ${secondsPerRound} s`,
      ours: formatNumber(median(rates.ours), 'req/s'),
      baseline: `constant Hono route, same ${body.length} bytes: ${formatNumber(median(rates.peer), 'req/s')}`,
      kind: 'ratio',
      values: perRoundRatios(rates.ours, rates.peer),
      target: { op: '>=', value: 0.1, label: 'constant route' },
    };
    return [figure];
  } finally {
    await peer?.stop();
    await serve?.stop();
    await database.close();
  }
};
