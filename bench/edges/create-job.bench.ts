import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Benchmark, type Figure, formatNumber } from '../harness/figure.js';
import { median, openBenchDatabase, perRoundRatios } from '../support.js';
import { startConstantHono, startServe } from './bench-servers.js';
import { createJobBody, ID_PLACEHOLDER } from './job-bodies.js';
import { routeRates } from './route-rates.js';
import type { ServerProcess } from './server-process.js';

const CONNECTIONS = 20;
const REQUESTS_PER_JOB = 10;

/**
 * `POST /v1/jobs` of 10 requests through `batchkeeper serve --no-worker`, against a Hono
 * route on @hono/node-server that parses the same JSON and answers a body of the same size.
 * Every POST carries ids of its own, so no request of one job deduplicates against another's;
 * both sides get the same bodies.
 */
export const benchCreateJob: Benchmark = async ({ quick }) => {
  const secondsPerRound = quick ? 2 : 10;
  const bodyFile = join(tmpdir(), `batchkeeper-bench-${randomBytes(4).toString('hex')}.json`);
  const template = createJobBody(REQUESTS_PER_JOB, ID_PLACEHOLDER);
  await writeFile(bodyFile, template);
  const database = await openBenchDatabase(2);
  let serve: ServerProcess | undefined;
  let peer: ServerProcess | undefined;
  try {
    serve = await startServe(database.url!);
    // As long as the bodies the load generator sends (its ids are about 16 characters).
    const sampleBody = template.replaceAll(ID_PLACEHOLDER, 'a'.repeat(16));
    const sample = await fetch(`${serve.url}/v1/jobs`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: sampleBody,
    });
    const answer = new Uint8Array(await sample.arrayBuffer());
    if (sample.status !== 201) throw new Error(`POST /v1/jobs answered ${sample.status}`);
    peer = await startConstantHono('POST', 201, answer);

    const rates = await routeRates({
      urls: { ours: `${serve.url}/v1/jobs`, peer: `${peer.url}/v1/jobs` },
      load: { connections: CONNECTIONS, method: 'POST', bodyFile, uniqueIds: true },
      warmUpRequests: quick ? 40 : 500,
      rounds: quick ? 2 : 4,
      secondsPerRound,
    });
    const figure: Figure = {
      benchmark: 'create-job',
      name: `POST /v1/jobs (${REQUESTS_PER_JOB} requests), ${CONNECTIONS} connections, ${secondsPerRound} s`,
      ours: formatNumber(median(rates.ours), 'req/s'),
      baseline: `Hono route parsing the same ${Buffer.byteLength(sampleBody)}-byte JSON, ${answer.length}-byte answer: ${formatNumber(median(rates.peer), 'req/s')}`,
      kind: 'ratio',
      values: perRoundRatios(rates.ours, rates.peer),
      target: { op: '>=', value: 0.05, label: 'JSON-parse route' },
    };
    return [figure];
  } finally {
    await peer?.stop();
    await serve?.stop();
    await database.close();
    await rm(bodyFile, { force: true });
  }
};
