import { copyFile, mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { childEnv, exampleCustomIds, REPO, run } from './child-process.js';

// Packing builds the package (prepare: tsc), installing fetches its dependencies (from npm's
// cache when it has them), and the example creates an embedded Postgres: minutes on a slow box.
const SETUP_TIMEOUT_MS = 600_000;
const CHILD_TIMEOUT_MS = 240_000;
const TSC = join(REPO, 'node_modules', 'typescript', 'bin', 'tsc');

describe('the package as npm packs it', () => {
  let scratch: string;
  let consumer: string;
  let packed: string[];

  beforeAll(async () => {
    scratch = await mkdtemp(join(tmpdir(), 'batchkeeper-pack-'));
    const pack = await run('npm', ['pack', '--pack-destination', scratch], { cwd: REPO });
    expect(pack.code, pack.stderr + pack.stdout).toBe(0);
    const tarball = (await readdir(scratch)).find((name) => name.endsWith('.tgz'));
    expect(tarball).toBeDefined();
    const list = await run('tar', ['-tzf', join(scratch, tarball!)], { cwd: scratch });
    packed = list.stdout.split('\n').filter(Boolean);

    consumer = join(scratch, 'consumer');
    await mkdir(consumer);
    await writeFile(
      join(consumer, 'package.json'),
      JSON.stringify({ name: 'consumer', private: true, type: 'module' }),
    );
    const install = await run(
      'npm',
      ['install', join(scratch, tarball!), '--prefer-offline', '--no-audit', '--no-fund'],
      { cwd: consumer },
    );
    expect(install.code, install.stderr + install.stdout).toBe(0);
    for (const file of ['wait-for-job.mjs', 'wait-for-job.ts', 'requests.jsonl']) {
      await copyFile(join(REPO, 'examples', file), join(consumer, file));
    }
  }, SETUP_TIMEOUT_MS);

  afterAll(async () => {
    if (scratch) await rm(scratch, { recursive: true, force: true });
  });

  it('ships the built JavaScript, its types, the migrations and the command line, not the sources', () => {
    expect(packed).toEqual(
      expect.arrayContaining([
        'package/dist/index.js',
        'package/dist/index.d.ts',
        'package/dist/cli/main.js',
        'package/migrations/0001_event_store.sql',
        'package/bin/batchkeeper',
        'package/examples/requests.jsonl',
      ]),
    );
    expect(packed.filter((file) => file.startsWith('package/src/'))).toEqual([]);
    expect(packed.filter((file) => file.startsWith('package/test/'))).toEqual([]);
  });

  it(
    'runs the JavaScript example with plain node against the simulator on embedded PGlite',
    async () => {
      const example = await run(process.execPath, ['wait-for-job.mjs'], {
        cwd: consumer,
        env: childEnv({ BATCHKEEPER_DATA_DIR: join(consumer, 'data') }),
      });
      expect(example.code, example.stderr).toBe(0);
      const id = /\b(job_[a-z0-9]+)\b/.exec(example.stdout)?.[1];
      expect(id, example.stdout).toBeDefined();
      expect(example.stdout).toContain(`${id} completed`);
      for (const customId of await exampleCustomIds()) {
        expect(example.stdout).toMatch(new RegExp(`^${customId}: \\S`, 'm'));
      }
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'type-checks the TypeScript example against the shipped types',
    async () => {
      await writeFile(
        join(consumer, 'tsconfig.json'),
        JSON.stringify({
          compilerOptions: {
            target: 'ES2023',
            lib: ['ES2023'],
            module: 'NodeNext',
            moduleResolution: 'NodeNext',
            strict: true,
            noEmit: true,
            // PGlite's own declarations need DOM and Emscripten types: not ours to check.
            skipLibCheck: true,
            typeRoots: [join(REPO, 'node_modules', '@types')],
            types: ['node'],
          },
          files: ['wait-for-job.ts'],
        }),
      );
      const tsc = await run(process.execPath, [TSC, '-p', consumer], { cwd: consumer });
      expect(tsc.code, tsc.stdout + tsc.stderr).toBe(0);
    },
    CHILD_TIMEOUT_MS,
  );

  it(
    'runs the installed command line from its built JavaScript',
    async () => {
      const bin = join(consumer, 'node_modules', '.bin', 'batchkeeper');
      const help = await run(bin, ['--help'], { cwd: consumer });
      expect(help.code, help.stderr).toBe(0);
      expect(help.stdout).toMatch(/\bserve\b/);
    },
    CHILD_TIMEOUT_MS,
  );
});
