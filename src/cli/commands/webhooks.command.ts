import { type Command, InvalidArgumentError, Option } from 'commander';
import { JOB_EVENT_TYPES, TERMINAL_JOB_EVENT_TYPES } from '../../webhooks/webhook-event-types.js';
import { apiAction, formatTable, plural, printJson } from '../cli-output.js';
import { relativeTime } from '../time-format.js';

/** A subscription as GET /v1/webhooks shows it. */
interface WireWebhook {
  id: string;
  url: string;
  events: string[];
  jobId: string | null;
  createdAt: string;
  disabledAt: string | null;
  disabledReason: string | null;
}

/** A message of the delivery log. */
interface WireDelivery {
  id: string;
  subscriptionId: string | null;
  jobId: string | null;
  type: string;
  url: string;
  status: 'pending' | 'delivered' | 'dead';
  attemptCount: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  attempts: { attemptedAt: string; statusCode: number | null; error: string | null }[];
}

interface CreateOptions {
  event: string[];
  job?: string;
  secret?: string;
  json?: boolean;
}

interface DeliveriesOptions {
  status?: string;
  job?: string;
  webhook?: string;
  limit?: number;
  cursor?: string;
  json?: boolean;
}

/** `webhooks list|create|delete|ping|deliveries|retry`, over the `/v1/webhooks` routes. */
export function registerWebhooksCommand(program: Command) {
  const webhooks = program
    .command('webhooks')
    .description(
      'subscriptions to job events and the log of what was delivered (docs/webhooks.md)',
    );

  webhooks
    .command('list')
    .description('your subscriptions, oldest first')
    .option('--json', 'print them as JSON')
    .action(
      apiAction(async (client, options: { json?: boolean }) => {
        const page = await client.json<{ webhooks: WireWebhook[] }>('GET', '/v1/webhooks');
        if (options.json) return printJson(page);
        if (page.webhooks.length === 0) {
          return console.log('no webhooks; add one with: batchkeeper webhooks create URL');
        }
        const now = Date.now();
        const rows = page.webhooks.map((w) => [
          w.id,
          w.url,
          w.events.join(','),
          w.jobId ?? 'every job',
          relativeTime(w.createdAt, now),
          w.disabledAt ? `disabled (${w.disabledReason ?? 'by the receiver'})` : 'active',
        ]);
        console.log(formatTable([['ID', 'URL', 'EVENTS', 'JOB', 'CREATED', 'STATUS'], ...rows]));
      }),
    );

  webhooks
    .command('create')
    .description(
      'subscribe a URL to job events; the signing secret is printed once (on stdout), keep it',
    )
    .argument('<url>', 'where to POST the messages (http or https)')
    .addOption(
      new Option(
        '--event <type>',
        `an event type to receive, repeatable (default: ${TERMINAL_JOB_EVENT_TYPES.join(', ')})`,
      )
        .argParser(collectEventType)
        .default([]),
    )
    .option('--job <id>', "only this job's events (default: every job of yours)")
    .option('--secret <whsec>', 'the signing secret, whsec_... (default: one is made)')
    .option('--json', 'print the subscription, secret included, as JSON')
    .action(
      apiAction(async (client, url: string, options: CreateOptions) => {
        const events = options.event.length > 0 ? options.event : [...TERMINAL_JOB_EVENT_TYPES];
        const created = await client.json<WireWebhook & { secret: string }>(
          'POST',
          '/v1/webhooks',
          { json: { url, events, jobId: options.job, secret: options.secret } },
        );
        if (options.json) return printJson(created);
        console.error(
          `created ${created.id}: ${created.url} receives ${created.events.join(', ')} of ` +
            `${created.jobId ?? 'every job'}; its signing secret, shown only this once:`,
        );
        console.log(created.secret);
      }),
    );

  webhooks
    .command('delete')
    .description('delete a subscription; its pending deliveries become dead')
    .argument('<id>', 'the subscription id (wh_...)')
    .action(
      apiAction(async (client, id: string) => {
        await client.request('DELETE', `/v1/webhooks/${encodeURIComponent(id)}`);
        console.log(`deleted ${id}; nothing more is sent to it`);
      }),
    );

  webhooks
    .command('ping')
    .description('send a webhook.ping test message to a subscription')
    .argument('<id>', 'the subscription id (wh_...)')
    .option('--json', 'print the answer as JSON')
    .action(
      apiAction(async (client, id: string, options: { json?: boolean }) => {
        const answer = await client.json<{ deliveryId: string }>(
          'POST',
          `/v1/webhooks/${encodeURIComponent(id)}/ping`,
        );
        if (options.json) return printJson(answer);
        console.log(
          `queued ${answer.deliveryId}; see how it went with: batchkeeper webhooks deliveries --webhook ${id}`,
        );
      }),
    );

  webhooks
    .command('deliveries')
    .description('the delivery log, newest first, with the outcome of the last attempt')
    .addOption(
      new Option('--status <status>', 'only these').choices(['pending', 'delivered', 'dead']),
    )
    .option('--job <id>', "only this job's messages")
    .option('--webhook <id>', "only this subscription's messages")
    .addOption(new Option('--limit <n>', 'at most this many (1..200)').argParser(wholeNumber))
    .option('--cursor <cursor>', 'the next page, as the previous one said')
    .option('--json', 'print the page as JSON, every attempt included')
    .action(
      apiAction(async (client, options: DeliveriesOptions) => {
        const page = await client.json<{ deliveries: WireDelivery[]; nextCursor: string | null }>(
          'GET',
          '/v1/webhooks/deliveries',
          {
            query: {
              status: options.status,
              jobId: options.job,
              subscriptionId: options.webhook,
              limit: options.limit,
              cursor: options.cursor,
            },
          },
        );
        if (options.json) return printJson(page);
        if (page.deliveries.length === 0) return console.log('no deliveries');
        const now = Date.now();
        const rows = page.deliveries.map((d) => [
          d.id,
          d.status,
          d.type,
          d.jobId ?? '-',
          String(d.attemptCount),
          lastOutcome(d, now),
        ]);
        console.log(formatTable([['ID', 'STATUS', 'TYPE', 'JOB', 'ATTEMPTS', 'LAST'], ...rows]));
        if (page.nextCursor) console.log(`(more: --cursor ${page.nextCursor})`);
      }),
    );

  webhooks
    .command('retry')
    .description('send a delivery again now, with the same webhook-id (dead ones too)')
    .argument('<id>', 'the delivery id, as `webhooks deliveries` shows it')
    .option('--json', 'print the delivery as JSON')
    .action(
      apiAction(async (client, id: string, options: { json?: boolean }) => {
        const delivery = await client.json<WireDelivery>(
          'POST',
          `/v1/webhooks/deliveries/${encodeURIComponent(id)}/retry`,
        );
        if (options.json) return printJson(delivery);
        console.log(
          `${delivery.id} (${delivery.type} to ${delivery.url}) is due again now, after ` +
            `${plural(delivery.attemptCount, 'attempt')}`,
        );
      }),
    );
}

/** `delivered 3 minutes ago`, `HTTP 500 2 minutes ago, next in 5 minutes`, `not tried yet`. */
function lastOutcome(delivery: WireDelivery, now: number): string {
  if (delivery.status === 'delivered' && delivery.deliveredAt) {
    return `delivered ${relativeTime(delivery.deliveredAt, now)}`;
  }
  const last = delivery.attempts.at(-1);
  const next = delivery.nextAttemptAt ? `, next ${relativeTime(delivery.nextAttemptAt, now)}` : '';
  if (!last) return `not tried yet${next}`;
  const what = last.statusCode ? `HTTP ${last.statusCode}` : (last.error ?? delivery.lastError);
  return `${what} ${relativeTime(last.attemptedAt, now)}${delivery.status === 'pending' ? next : ''}`;
}

function collectEventType(value: string, previous: string[]): string[] {
  if (!(JOB_EVENT_TYPES as readonly string[]).includes(value)) {
    throw new InvalidArgumentError(`must be one of ${JOB_EVENT_TYPES.join(', ')}`);
  }
  return [...previous, value];
}

function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}
