import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CliRun, runCli } from './run-cli.js';

// Each run is a new process that compiles TypeScript on load.
const CLI_TIMEOUT_MS = 90_000;

/** The URL of a loopback port nothing listens on (it was free a moment ago). */
async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return `http://127.0.0.1:${port}`;
}

// None of these needs a server: they are about what the CLI says before (or instead of) asking one.
describe('the command line’s manners', () => {
  const runs: Record<string, CliRun> = {};
  let envUrl: string;
  let flagUrl: string;
  beforeAll(async () => {
    envUrl = await closedPortUrl();
    flagUrl = await closedPortUrl();
    const commands: Record<string, [string[], Record<string, string>?]> = {
      version: [['--version']],
      help: [['--help']],
      suggested: [['sumbit', 'x.jsonl']],
      unknown: [['frobnicate']],
      missingArgument: [['status']],
      missingDir: [['results', 'job_x', '-o', '/missing/dir/x']],
      missingFile: [['submit', '/missing/requests.jsonl']],
      flagOverEnv: [['stats', '--url', flagUrl], { BATCHKEEPER_URL: envUrl }],
    };
    await Promise.all(
      Object.entries(commands).map(async ([name, [args, env]]) => {
        runs[name] = await runCli(args, env ?? { BATCHKEEPER_URL: envUrl });
      }),
    );
  }, CLI_TIMEOUT_MS);

  it('prints the version of package.json with --version', async () => {
    const { version } = JSON.parse(
      await readFile(new URL('../../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    expect(runs.version).toMatchObject({ code: 0, stdout: `${version}\n` });
  });

  it('names the environment variables and every exit code in --help', () => {
    const help = runs.help!.stdout;
    expect(runs.help!.code).toBe(0);
    expect(help).toContain('--url <url>');
    expect(help).toContain('--api-key <key>');
    expect(help).toContain('BATCHKEEPER_URL');
    expect(help).toContain('BATCHKEEPER_API_KEY');
    expect(help).toMatch(/^ {2}5 {2}the watched job completed with failed requests/m);
    expect(help).toContain('webhooks');
  });

  it('answers an unknown command with the suggestion only, not the whole help (exit 2)', () => {
    expect(runs.suggested).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: unknown command 'sumbit'\n(Did you mean submit?)\n",
    });
  });

  it('points to --help for an unknown command with nothing like it', () => {
    expect(runs.unknown).toEqual({
      code: 2,
      stdout: '',
      stderr: "error: unknown command 'frobnicate'\n(see batchkeeper --help)\n",
    });
  });

  it("points to the command's own help when an argument is missing", () => {
    expect(runs.missingArgument!.code).toBe(2);
    expect(runs.missingArgument!.stderr).toBe(
      "error: missing required argument 'id'\n(see batchkeeper status --help)\n",
    );
  });

  it('says a missing output directory in words before asking the server (exit 2)', () => {
    expect(runs.missingDir!.code).toBe(2);
    expect(runs.missingDir!.stderr).toMatch(
      /^error: cannot write \/missing\/dir\/x: directory does not exist/,
    );
    expect(runs.missingDir!.stderr).not.toContain('ENOENT');
    expect(runs.missingDir!.stderr).not.toContain('cannot reach');
  });

  it('says a missing request file in words (exit 2)', () => {
    expect(runs.missingFile).toMatchObject({
      code: 2,
      stderr: 'error: cannot read /missing/requests.jsonl: no such file\n',
    });
  });

  it('takes --url over BATCHKEEPER_URL, and says what to do when nothing answers', () => {
    expect(runs.flagOverEnv!.code).toBe(1);
    expect(runs.flagOverEnv!.stderr).toMatch(
      new RegExp(`^error: cannot reach ${flagUrl}: ECONNREFUSED; is \`batchkeeper serve\` running`),
    );
    expect(runs.flagOverEnv!.stderr).toContain('--url or BATCHKEEPER_URL');
  });
});
