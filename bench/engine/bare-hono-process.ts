import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { killOnExit } from './kill-on-exit.js';

const SERVER = new URL('./bare-hono.server.mjs', import.meta.url).pathname;

/** The bare Hono app in a node process of its own. */
export interface BareHonoProcess {
  readonly pid: number;
  readonly url: string;
  stop(): Promise<void>;
}

export async function startBareHonoProcess(): Promise<BareHonoProcess> {
  const child = spawn(process.execPath, [SERVER], { stdio: ['ignore', 'pipe', 'inherit'] });
  killOnExit(child);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      createInterface({ input: child.stdout }).once('line', resolve);
      void exited.then(() => reject(new Error('the bare Hono app exited while starting')));
    });
    return { pid: child.pid!, url, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
