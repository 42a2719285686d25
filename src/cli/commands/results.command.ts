import { createWriteStream } from 'node:fs';
import { Readable, Transform, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type Command, Option } from 'commander';
import { ApiClient } from '../api-client.js';
import { apiAction, printJson } from '../cli-output.js';

interface ResultsOptions {
  output?: string;
  type?: string;
  json?: boolean;
}

export function registerResultsCommand(program: Command) {
  program
    .command('results')
    .description("stream a job's results as JSONL, one {custom_id, result} a line")
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
    .option('--json', 'with -o: print {file, results} as JSON when done')
    .action(
      apiAction(async (id: string, options: ResultsOptions) => {
        const response = await ApiClient.fromEnv().request(
          'GET',
          `/v1/jobs/${encodeURIComponent(id)}/results`,
          { query: { type: options.type } },
        );
        let lines = 0;
        const counter = new Transform({
          transform(chunk: Buffer, _encoding, done) {
            for (const byte of chunk) if (byte === 0x0a) lines += 1;
            done(null, chunk);
          },
        });
        const sink: Writable = options.output ? createWriteStream(options.output) : process.stdout;
        // pipeline waits for the sink to drain: the server is read only as fast as we write.
        await pipeline(Readable.fromWeb(response.body as never), counter, sink, {
          end: options.output !== undefined,
        });
        if (!options.output) return;
        if (options.json) printJson({ file: options.output, results: lines });
        else console.error(`wrote ${lines} results to ${options.output}`);
      }),
    );
}
