import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import type { ChainBreak } from '../../audit/audit-event.js';
import type { StreamVerdict } from '../../audit/verify-stream.js';
import { ConflictError, NotFoundError, ValidationError } from '../../domain/errors.js';
import { EXIT } from '../api-client.js';
import { CliError, cannotRead } from '../cli-error.js';
import { packageVersion } from '../package-version.js';
import { withMigratedDatabase } from '../with-migrated-database.js';

interface VerifyOptions {
  tenant?: string;
  json?: boolean;
  file?: string;
  steps?: boolean;
}

export function registerAuditCommand(program: Command) {
  const audit = program
    .command('audit')
    .description('the tamper-evident event log: verify, export, chain (docs/audit.md)');
  audit
    .command('verify')
    .description(
      "walk jobs' hash chains, check their results and replay them; with --file, an export, no database",
    )
    .argument('[jobIds...]', 'the jobs to verify (default: every job, or --tenant’s)')
    .option('--tenant <tenant>', 'only this tenant’s jobs')
    .option('--file <path>', 'verify an export (`audit export`) instead of the database')
    .option('--steps', 'print the job’s state after each event')
    .option('--json', 'print the report as JSON')
    .action(async (jobIds: string[], options: VerifyOptions) => {
      const verdicts = options.file
        ? [await verifyFile(options.file, jobIds)]
        : await withMigratedDatabase(async (handle) => {
            const { verifyLog } = await import('../../audit/verify-log.js');
            const report = await verifyLog(handle.db, { jobIds, tenant: options.tenant });
            return report.verdicts;
          });
      printReport(verdicts, options);
      if (verdicts.some((v) => v.broken)) process.exitCode = EXIT.failure;
    });
  audit
    .command('export')
    .description('write a job’s events, hashes and results as NDJSON, verifiable offline')
    .argument('<jobId>', 'the job')
    .action(async (jobId: string) => {
      const { exportJobLines } = await import('../../audit/export-job.js');
      await withMigratedDatabase(async (handle) => {
        try {
          for await (const line of exportJobLines(handle.db, jobId, packageVersion())) {
            if (!process.stdout.write(`${line}\n`)) {
              await new Promise((resolve) => process.stdout.once('drain', resolve));
            }
          }
        } catch (error) {
          if (error instanceof NotFoundError) {
            throw new CliError((error as Error).message, EXIT.notFound);
          }
          throw error;
        }
      });
    });
  audit
    .command('purge')
    .description(
      'remove an ended job’s result payloads and request bodies, keeping digests (the chain still verifies)',
    )
    .argument('<jobId>', 'the job')
    .action(async (jobId: string) => {
      const { purgeJobResults } = await import('../../audit/purge-job-results.js');
      await withMigratedDatabase(async (handle) => {
        try {
          const purged = await purgeJobResults(handle.db, jobId);
          console.log(
            `purged ${purged.results} result payloads and ${purged.requestBodies} request bodies ` +
              `of ${jobId}; the results' digests are kept`,
          );
        } catch (error) {
          if (error instanceof ConflictError) throw new CliError(error.message, EXIT.refused);
          throw error;
        }
      });
    });
  audit
    .command('chain')
    .description('chain the events written before the hash chain existed (batched, resumable)')
    .action(async () => {
      const { chainOldEvents } = await import('../../audit/chain-old-events.js');
      await withMigratedDatabase(async (handle) => {
        const chained = await chainOldEvents(handle.db);
        console.log(`chained ${chained} events; every event is chained`);
      });
    });
}

async function verifyFile(path: string, jobIds: readonly string[]): Promise<StreamVerdict> {
  const { verifyExport } = await import('../../audit/verify-export.js');
  const input = createReadStream(path, 'utf8');
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', reject);
  });
  try {
    await opened;
  } catch (error) {
    throw cannotRead(path, error);
  }
  try {
    const { header, verdict } = await verifyExport(createInterface({ input, crlfDelay: Infinity }));
    if (jobIds.length > 0 && !jobIds.includes(header.jobId)) {
      throw new CliError(
        `${path} is an export of job ${header.jobId}, not ${jobIds.join(', ')}`,
        EXIT.usage,
      );
    }
    return verdict;
  } catch (error) {
    if (error instanceof ValidationError) {
      throw new CliError(`${path}: ${(error as Error).message}`, EXIT.usage);
    }
    throw error;
  }
}

function printReport(verdicts: readonly StreamVerdict[], options: VerifyOptions): void {
  const events = verdicts.reduce((sum, v) => sum + v.events, 0);
  const broken = verdicts.flatMap((v) => (v.broken ? [v.broken] : []));
  if (options.json) {
    console.log(
      JSON.stringify({
        streams: verdicts.length,
        events,
        verified: broken.length === 0,
        broken,
        heads: verdicts.map((v) => ({ jobId: v.streamId, ...v.head })),
        ...(options.steps
          ? { steps: verdicts.map((v) => ({ jobId: v.streamId, steps: v.steps })) }
          : {}),
      }),
    );
    return;
  }
  for (const verdict of verdicts) {
    if (options.steps) {
      for (const step of verdict.steps) {
        const by = step.actor ? ` (by ${step.actor})` : '';
        console.log(`${verdict.streamId} v${step.version} ${step.type} → ${step.status}${by}`);
      }
    }
    if (verdict.broken) console.log(describeBreak(verdict.broken));
  }
  const summary = `${verdicts.length} streams, ${events} events`;
  console.log(broken.length === 0 ? `${summary} verified` : `${summary}: ${broken.length} broken`);
}

function describeBreak(broken: ChainBreak): string {
  return [
    `job ${broken.streamId}, version ${broken.version}: ${broken.message}`,
    `  expected: ${broken.expected}`,
    `  found:    ${broken.found}`,
  ].join('\n');
}
