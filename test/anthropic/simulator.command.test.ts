import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import Anthropic from '@anthropic-ai/sdk';
import { afterEach, describe, expect, it } from 'vitest';
import { sdkRequests } from './simulator-harness.js';

const children: ChildProcess[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

function runCli(args: string[]): ChildProcess {
  const child = spawn(process.execPath, ['bin/batchkeeper', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  return child;
}

async function firstLine(child: ChildProcess): Promise<string> {
  const lines = createInterface({ input: child.stdout! });
  const [line] = (await once(lines, 'line')) as [string];
  lines.close();
  return line;
}

describe('batchkeeper simulator', () => {
  it('prints the URL it listens on and serves the unmodified SDK there until SIGTERM', async () => {
    const child = runCli(['simulator', '--port', '0', '--latency-ms', '20', '--seed', '3']);
    const url = await firstLine(child);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const sdk = new Anthropic({ apiKey: 'any-key', baseURL: url, maxRetries: 0 });
    const { id } = await sdk.messages.batches.create({ requests: sdkRequests(2) });
    await expect
      .poll(async () => (await sdk.messages.batches.retrieve(id)).processing_status, {
        timeout: 10_000,
        interval: 25,
      })
      .toBe('ended');
    const stats = (await (await fetch(`${url}/_simulator/stats`)).json()) as Record<
      string,
      unknown
    >;
    expect(stats).toMatchObject({
      batchesCreated: 1,
      requestsReceived: 2,
      resubmittedAfterSuccess: 0,
    });
    child.kill('SIGTERM');
    const [code] = await once(child, 'exit');
    expect(code).toBe(0);
  });

  it('exits 2 with a clear message for a rate outside 0..1', async () => {
    const child = runCli(['simulator', '--overload-rate', '1.5']);
    let stderr = '';
    child.stderr!.on('data', (chunk) => {
      stderr += chunk;
    });
    const [code] = await once(child, 'exit');
    expect(code).toBe(2);
    expect(stderr).toContain('--overload-rate must be a fraction from 0 to 1');
  });
});
