import { createDatabase, type DatabaseHandle } from '../../src/store/create-database.js';
import { startWebhookRelay } from '../../src/webhooks/index.js';
import { type Benchmark, type Figure, formatNumber } from '../harness/figure.js';
import { median, openBenchDatabase, pairedRounds, perRoundRatios } from '../support.js';
import { startWebhookReceiver } from './bench-servers.js';
import { fetchPostLoop } from './fetch-post-loop.js';
import type { ServerProcess } from './server-process.js';
import {
  fillOutbox,
  jobCompletedBody,
  outboxDrained,
  RECEIVER_ALLOW_LIST,
  subscribeReceiver,
} from './webhook-outbox.js';

/**
 * Deliveries in flight at once, on both sides. The relay's default is 32 (serve's
 * BATCHKEEPER_WEBHOOK_CONCURRENCY); it is set to the peer's here, so that the figure compares
 * the two at the same concurrency, and with the figures measured before (rounds of 10).
 */
const CONCURRENCY = 10;
/** serve's pool size (createDatabase's default). */
const RELAY_POOL_SIZE = 10;
const DRAIN_POLL_MS = 10;
const SIDES = ['relay', 'fetch loop'] as const;

/**
 * The webhook relay (startWebhookRelay, configured as serve's webhook-relay service does)
 * delivering outbox rows to a local receiver, against a fetch loop posting the same body at
 * the same concurrency. The receiver is a plain node:http server in a process of its own;
 * both senders run in this one.
 */
export const benchRelay: Benchmark = async ({ quick }) => {
  const deliveries = quick ? 200 : 1_000;
  const rounds = quick ? 3 : 5;
  const database = await openBenchDatabase(RELAY_POOL_SIZE);
  let poller: DatabaseHandle | undefined;
  let receiver: ServerProcess | undefined;
  try {
    poller = await createDatabase({ databaseUrl: database.url, poolSize: 1 });
    receiver = await startWebhookReceiver();
    const url = `${receiver.url}/webhooks`;
    const endpointId = await subscribeReceiver(database.db, url);
    const body = jobCompletedBody(new Date());
    const watch = poller.db;

    const run = {
      relay: async (count: number) => {
        await fillOutbox(database.db, endpointId, count, body);
        const started = performance.now();
        const relay = startWebhookRelay({
          db: database.db,
          instanceId: 'bench-relay',
          allowList: RECEIVER_ALLOW_LIST,
          concurrency: CONCURRENCY,
        });
        try {
          await outboxDrained(watch, DRAIN_POLL_MS, 60_000);
          return count / ((performance.now() - started) / 1000);
        } finally {
          await relay.stop();
        }
      },
      'fetch loop': async (count: number) => {
        const started = performance.now();
        await fetchPostLoop(url, body, count, CONCURRENCY);
        return count / ((performance.now() - started) / 1000);
      },
    };
    for (const side of SIDES) await run[side](Math.min(100, deliveries));
    const rates = await pairedRounds(SIDES, rounds, (side) => run[side](deliveries));

    const figure: Figure = {
      benchmark: 'relay',
      name: `webhook relay, ${deliveries} deliveries, ${CONCURRENCY} at once`,
      ours: formatNumber(median(rates.relay), 'deliveries/s'),
      baseline: `fetch loop, same ${body.length}-byte body: ${formatNumber(median(rates['fetch loop']), 'posts/s')}`,
      kind: 'ratio',
      values: perRoundRatios(rates.relay, rates['fetch loop']),
      target: { op: '>=', value: 0.7, label: 'fetch loop' },
    };
    return [figure];
  } finally {
    await receiver?.stop();
    await poller?.close();
    await database.close();
  }
};
