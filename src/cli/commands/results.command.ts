import { createWriteStream, type WriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { TERMINAL_STATUSES } from '../../domain/job-status.js';
import { type ApiClient, ApiError, EXIT } from '../api-client.js';
import { CliError, cannotWrite } from '../cli-error.js';
import { apiAction, printJson } from '../cli-output.js';

interface ResultsOptions {
  output?: string;
  type?: string;
  partial?: boolean;
  merged?: boolean;
  json?: boolean;
}

export function registerResultsCommand(program: Command) {
  program
    .command('results')
    .description(
      "stream a job's results as JSONL, one {custom_id, result} a line (a job that has not " +
        'ended is refused, exit 4, unless --partial)',
    )
    .argument('<id>', 'the job id')
    .option('-o, --output <file>', 'write to this file instead of stdout')
    .addOption(
      new Option('--type <type>', 'only results of this type').choices([
        'succeeded',
        'errored',
        'canceled',
        'expired',
      ]),
    )
    .option('--partial', 'for a job that has not ended: the results collected so far')
    .option(
      '--merged',
      'one line per request with the newest outcome along the retry chain (`retry ID`), ' +
        'each saying the job that produced it (_producedBy)',
    )
    .option('--json', 'with -o: print {file, results, partial} as JSON when done')
    .action(
      apiAction(async (client, id: string, options: ResultsOptions) => {
        // Before asking the server: a file that cannot be written is said at once.
        if (options.output) await checkWritable(options.output);
        const response = await client
          .request('GET', `/v1/jobs/${encodeURIComponent(id)}/results`, {
            query: {
              type: options.type,
              partial: options.partial ? true : undefined,
              merged: options.merged ? true : undefined,
            },
          })
          .catch(async (error: unknown) => {
            throw await explained(client, id, error);
          });
        let lines = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            for (const byte of chunk) if (byte === 0x0a) lines += 1;
            done(null, chunk);
          },
        });
        const sink: Writable = options.output ? await openFile(options.output) : process.stdout;
        // pipeline waits for the sink to drain: the server is read only as fast as we write.
        await pipeline(Readable.fromWeb(response.body as never), counter, sink, {
          end: options.output !== undefined,
        });
        const partial = options.partial ? await unfinishedStatus(client, id) : undefined;
        if (options.json && options.output) {
          return printJson({
            file: options.output,
            results: lines,
            partial: partial !== undefined,
          });
        }
        const so = partial ? ` so far (the job is ${partial}: partial)` : '';
        if (options.output) console.error(`wrote ${lines} results${so} to ${options.output}`);
        else if (partial) console.error(`${lines} results${so}`);
      }),
    );
}

/** The 409 of a job that has not ended, said with its status and what to do instead. */
async function explained(client: ApiClient, id: string, error: unknown): Promise<unknown> {
  if (!(error instanceof ApiError) || error.type !== 'job_not_finished') return error;
  const status = await unfinishedStatus(client, id).catch(() => undefined);
  return new CliError(
    `job ${id} has not finished${status ? ` (status ${status})` : ''}; use --partial for what ` +
      `has been collected so far, or wait for it with \`batchkeeper watch ${id}\` ` +
      '(`submit --wait` waits from the start)',
    EXIT.refused,
  );
}

/** The job's status while it has not ended; undefined once it has. */
async function unfinishedStatus(client: ApiClient, id: string): Promise<string | undefined> {
  const job = await client.json<{ status: string }>('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  return (TERMINAL_STATUSES as readonly string[]).includes(job.status) ? undefined : job.status;
}

/** Refuses a path whose directory is missing (or not one), or that is itself a directory. */
async function checkWritable(path: string): Promise<void> {
  const folder = await stat(dirname(path)).catch((error: unknown) => {
    throw cannotWrite(path, error);
  });
  if (!folder.isDirectory()) throw cannotWrite(path, { code: 'ENOTDIR' });
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory()) throw cannotWrite(path, { code: 'EISDIR' });
}

/** The file, open: a refusal (permissions, a full disk) is said in words, not as a raw code. */
function openFile(path: string): Promise<WriteStream> {
  return new Promise((resolve, reject) => {
    const file = createWriteStream(path);
    const refused = (error: Error) => reject(cannotWrite(path, error));
    file.once('error', refused);
    file.once('open', () => {
      file.off('error', refused);
      resolve(file);
    });
  });
}
