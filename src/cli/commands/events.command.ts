import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { apiAction, formatTable, printJson, priorityLabel } from '../cli-output.js';

interface WireEvent {
  position: number;
  version: number;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

export function registerEventsCommand(program: Command) {
  program
    .command('events')
    .description("print a job's audit log: every event in order, with a short summary of each")
    .argument('<id>', 'the job id')
    .option('--json', 'one JSON event a line, whole')
    .option(
      '--export',
      'the self-contained NDJSON export (hashes, chain head, results) that `audit verify --file` checks',
    )
    .action(
      apiAction(async (client, id: string, options: { json?: boolean; export?: boolean }) => {
        if (options.export) {
          const response = await client.request(
            'GET',
            `/v1/jobs/${encodeURIComponent(id)}/events`,
            {
              query: { format: 'ndjson' },
            },
          );
          // pipeline waits for stdout to drain: the server is read only as fast as we write.
          await pipeline(Readable.fromWeb(response.body as never), process.stdout, { end: false });
          return;
        }
        const { events } = await client.json<{ events: WireEvent[] }>(
          'GET',
          `/v1/jobs/${encodeURIComponent(id)}/events`,
        );
        if (options.json) {
          for (const event of events) printJson(event);
          return;
        }
        const rows = events.map((e) => [e.recordedAt, `v${e.version}`, e.type, summarize(e)]);
        console.log(formatTable([['TIME', 'VERSION', 'EVENT', 'SUMMARY'], ...rows]));
      }),
    );
}

/** A few words on what an event says; unknown types show their data, cut short. */
export function summarize(event: Pick<WireEvent, 'type' | 'data' | 'metadata'>): string {
  const d = event.data;
  switch (event.type) {
    case 'JobCreated':
      return `${d.totalRequests} requests (${d.deduplicatedRequests} deduplicated), priority ${priorityLabel(d.priority)}${tagsOf(d.tags)}`;
    case 'JobStarted':
      return `on ${d.instanceId}`;
    case 'BatchSubmissionIntended':
      return `${d.batchKey}: ${d.requestCount} requests, attempt ${d.attempt}`;
    case 'BatchSubmitted':
      return `${d.batchKey} -> ${d.batchId}${d.adopted ? ' (adopted)' : ''}`;
    case 'BatchSubmissionAbandoned':
      return `${d.batchKey}: ${d.reason}`;
    case 'BatchEnded':
      return `${d.batchKey} (${d.batchId})`;
    case 'BatchResultsCollected':
      return `${d.batchKey}: ${d.succeeded} succeeded, ${d.errored} errored, ${d.canceled} canceled, ${d.expired} expired, ${d.retryable} to retry`;
    case 'RetryScheduled':
      return `${d.requestCount} requests, attempt ${d.attempt}, due ${d.dueAt}`;
    case 'RequestOutcomeRecorded':
      return `${d.customId}: ${d.resultType}`;
    case 'JobFailed':
      return `${d.reason}`;
    case 'JobCancelled':
    case 'JobExpired':
      return `${d.unfinished} unfinished`;
    case 'JobCompleted': {
      const p = d.progress as Record<string, number> | undefined;
      return p ? `${p.completed} completed, ${p.failed} failed` : '';
    }
    default: {
      const rest = Object.fromEntries(Object.entries(d ?? {}).filter(([key]) => key !== 'at'));
      const text = Object.keys(rest).length === 0 ? '' : JSON.stringify(rest);
      return text.length > 80 ? `${text.slice(0, 79)}…` : text;
    }
  }
}

function tagsOf(tags: unknown): string {
  return Array.isArray(tags) && tags.length > 0 ? `, tags ${tags.join(',')}` : '';
}
