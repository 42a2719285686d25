import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  childEnv,
  exampleCustomIds,
  type Finished,
  freePort,
  REPO,
  run,
} from '../package/child-process.js';
import { createTestDatabaseUrl, dropTestDatabase, testPostgresUrl } from '../support/database.js';
import { tourCommands } from './readme-blocks.js';

// serve compiles TypeScript on load and creates an embedded Postgres on its first start; each
// CLI command compiles again.
const START_TIMEOUT_MS = 180_000;
const STEP_TIMEOUT_MS = 120_000;

/**
 * What the tour promises, checked on data (exit codes, ids, line counts, JSON), never on the
 * command line's wording. Each check applies to the commands it matches; every check must match
 * at least one command, so a tour that loses a step fails here.
 */
interface Step {
  name: string;
  matches: RegExp;
  check(output: Finished, tour: Tour): Promise<void> | void;
}

interface Tour {
  cwd: string;
  jobId: string | undefined;
  customIds: string[];
}

const STEPS: Step[] = [
  {
    name: 'submits the example file and prints the job id',
    matches: /^bin\/batchkeeper submit examples\/requests\.jsonl\b/,
    check(output, tour) {
      tour.jobId = /\b(job_[a-z0-9]+)\b/.exec(output.stdout + output.stderr)?.[1];
      expect(tour.jobId, output.stdout + output.stderr).toBeDefined();
    },
  },
  {
    name: 'watches the job until it ends',
    matches: /^bin\/batchkeeper watch /,
    check: () => {},
  },
  {
    name: 'writes one result line per request',
    matches: /^bin\/batchkeeper results \S+ -o results\.jsonl$/,
    async check(_output, tour) {
      const lines = (await readFile(join(tour.cwd, 'results.jsonl'), 'utf8')).trim().split('\n');
      const ids = lines.map((line) => (JSON.parse(line) as { custom_id: string }).custom_id);
      expect(ids.sort()).toEqual([...tour.customIds].sort());
    },
  },
  {
    name: 'prints the audit log',
    matches: /^bin\/batchkeeper events /,
    check: (output) => expect(output.stdout.trim()).not.toBe(''),
  },
  {
    name: 'reads the job over HTTP, completed',
    matches: /^curl -s \S+\/v1\/jobs\/job_[a-z0-9]+$/,
    check(output, tour) {
      expect(JSON.parse(output.stdout)).toMatchObject({ id: tour.jobId, status: 'completed' });
    },
  },
  {
    name: 'streams the results over HTTP as JSON lines',
    matches: /^curl -s \S+\/v1\/jobs\/job_[a-z0-9]+\/results$/,
    check(output, tour) {
      const lines = output.stdout.trim().split('\n');
      expect(lines.map((line) => JSON.parse(line).custom_id).sort()).toEqual(
        [...tour.customIds].sort(),
      );
    },
  },
  {
    name: 'reads the events over HTTP',
    matches: /^curl -s \S+\/v1\/jobs\/job_[a-z0-9]+\/events$/,
    check: (output) => expect(() => JSON.parse(output.stdout)).not.toThrow(),
  },
  {
    name: 'serves the API reference',
    matches: /^curl -s \S+\/docs\b/,
    check: (output) => expect(output.stdout).toMatch(/<html|<!doctype/i),
  },
];

describe('the README’s five-minute tour, run for real against serve', () => {
  const commands = tourCommands();
  const matched = new Set<string>();
  let tour: Tour;
  let port: number;
  let serve: ChildProcess;
  let serveStderr = '';
  let databaseUrl: string | undefined;

  beforeAll(async () => {
    const cwd = await mkdtemp(join(tmpdir(), 'batchkeeper-tour-'));
    // The tour runs in a checkout; these are the parts of one it names, and results.jsonl is
    // written here, not into the repository.
    await symlink(join(REPO, 'bin'), join(cwd, 'bin'));
    await symlink(join(REPO, 'examples'), join(cwd, 'examples'));
    tour = { cwd, jobId: undefined, customIds: await exampleCustomIds() };
    if (testPostgresUrl()) databaseUrl = await createTestDatabaseUrl();
    port = await freePort();
    serve = spawn(process.execPath, [join(REPO, 'bin', 'batchkeeper'), 'serve'], {
      cwd,
      env: childEnv({
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        ...(databaseUrl
          ? { DATABASE_URL: databaseUrl }
          : { BATCHKEEPER_DATA_DIR: join(cwd, 'data') }),
      }),
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    serve.stderr!.on('data', (chunk: Buffer) => {
      serveStderr += chunk.toString('utf8');
    });
    await ready(serve, `http://127.0.0.1:${port}/readyz`, () => serveStderr);
  }, START_TIMEOUT_MS);

  afterAll(async () => {
    if (serve && serve.exitCode === null) {
      const exited = new Promise((resolve) => serve.once('exit', resolve));
      serve.kill('SIGTERM');
      await Promise.race([exited, sleep(20_000)]);
      if (serve.exitCode === null) serve.kill('SIGKILL');
    }
    if (databaseUrl) await dropTestDatabase(databaseUrl);
    if (tour) await rm(tour.cwd, { recursive: true, force: true });
  }, START_TIMEOUT_MS);

  it('has runnable shell blocks marked <!-- tour -->', () => {
    expect(commands.length).toBeGreaterThan(0);
  });

  for (const command of commands) {
    it(
      `runs \`${command}\``,
      async () => {
        const line = placeholdersFilled(command, tour, port);
        const output = await run('bash', ['-c', line], {
          cwd: tour.cwd,
          env: childEnv({ BATCHKEEPER_URL: `http://127.0.0.1:${port}` }),
        });
        expect(output.code, `${line}\n${output.stdout}\n${output.stderr}`).toBe(0);
        for (const step of STEPS.filter((s) => s.matches.test(line))) {
          await step.check(output, tour);
          matched.add(step.name);
        }
      },
      STEP_TIMEOUT_MS,
    );
  }

  it('took every step the tour promises', () => {
    expect([...matched].sort()).toEqual(STEPS.map((step) => step.name).sort());
  });
});

/** The command as the reader would type it: the job's id for `<id>`, and the server's port. */
function placeholdersFilled(command: string, tour: Tour, port: number): string {
  if (command.includes('<id>') && !tour.jobId) throw new Error('no job id yet for <id>');
  return command
    .replaceAll('<id>', tour.jobId ?? '')
    .replaceAll(/\b(?:localhost|127\.0\.0\.1):8080\b/g, `127.0.0.1:${port}`);
}

/** Waits until `url` answers 200, failing at once if the process exits first. */
async function ready(child: ChildProcess, url: string, stderr: () => string): Promise<void> {
  for (;;) {
    if (child.exitCode !== null) throw new Error(`serve exited (${child.exitCode}):\n${stderr()}`);
    const status = await fetch(url).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) return;
    await sleep(200);
  }
}
