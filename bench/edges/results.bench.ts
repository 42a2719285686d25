import { type Benchmark, type Figure, formatNumber } from '../harness/figure.js';
import { median, megabytes, openBenchDatabase, pairedRounds } from '../support.js';
import { startServe } from './bench-servers.js';
import { runToExit } from './child-processes.js';
import { resultsCopySql, seedResultsJob } from './results-job.js';
import type { ServerProcess } from './server-process.js';

const SIDES = ['route', 'COPY'] as const;
const MB = 1024 * 1024;

/**
 * `GET /v1/jobs/:id/results` of a job whose every request has its result, read by curl
 * through `batchkeeper serve --no-worker`, against psql running `COPY (the same rows) TO
 * STDOUT`; both clients are spawned per read and write to /dev/null, so each side is one C
 * client reading one stream. Both deliver the same lines, so the figure compares their times
 * (rows/s); jsonb's text form (spaces after `:` and `,`) makes COPY's bytes a little more.
 */
export const benchResults: Benchmark = async ({ quick }) => {
  const requests = quick ? 10_000 : 100_000;
  const rounds = quick ? 3 : 5;
  const database = await openBenchDatabase(2);
  let serve: ServerProcess | undefined;
  try {
    serve = await startServe(database.url!);
    const jobId = await seedResultsJob(serve.url, database.db, requests);
    // The job never ends (no worker): its results are read as a partial download, the same route.
    const resultsUrl = `${serve.url}/v1/jobs/${jobId}/results?partial=true`;
    const copy = ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-d', database.url!, '-c'];
    const copySql = resultsCopySql(jobId);

    // Once, not timed: both sides must deliver every line (a short answer would look fast).
    const routeText = await (await fetch(resultsUrl)).text();
    const copyText = (await runToExit('psql', [...copy, copySql])).stdout;
    for (const [side, text] of [
      ['the route', routeText],
      ['COPY', copyText],
    ] as const) {
      const lines = text.split('\n').length - 1;
      if (lines !== requests) throw new Error(`${side} gave ${lines} lines, not ${requests}`);
    }
    const routeBytes = Buffer.byteLength(routeText);
    const copyBytes = Buffer.byteLength(copyText);

    const read = {
      route: async () => {
        const { stdout, ms } = await runToExit('curl', [
          '-sS',
          '-o',
          '/dev/null',
          '-w',
          '%{http_code}',
          resultsUrl,
        ]);
        if (stdout !== '200') throw new Error(`GET …/results answered ${stdout}`);
        return ms;
      },
      COPY: async () => (await runToExit('psql', [...copy, copySql], { stdout: 'ignore' })).ms,
    };
    for (const side of SIDES) await read[side]();
    const ms = await pairedRounds(SIDES, rounds, (side) => read[side]());

    const rate = (bytes: number, times: number[]) =>
      formatNumber(bytes / MB / (median(times) / 1000), 'MB/s');
    const figure: Figure = {
      benchmark: 'results',
      name: `GET /v1/jobs/:id/results, ${requests.toLocaleString('en')} results`,
      ours: `${rate(routeBytes, ms.route)} (${megabytes(routeBytes)})`,
      baseline: `COPY … TO STDOUT through psql: ${rate(copyBytes, ms.COPY)} (${megabytes(copyBytes)})`,
      kind: 'ratio',
      // Same rows on both sides: the ratio of their rates is the inverse ratio of their times.
      values: ms.route.map((routeMs, i) => ms.COPY[i]! / routeMs),
      target: { op: '>=', value: 0.8, label: 'COPY' },
      note: 'ratio of rows/s (both sides send the same lines; COPY’s text of jsonb has spaces, so its MB are a little more)',
    };
    return [figure];
  } finally {
    await serve?.stop();
    await database.close();
  }
};
