import { setTimeout as sleep } from 'node:timers/promises';
import { type Child, type Exit, spawnBatchkeeper } from './child-process.js';

/**
 * One `batchkeeper serve` instance: a name, a port and an environment that
 * stay the same across its restarts (as a pod keeps its name), and the
 * process running now, if any.
 */
export class ServeInstance {
  #child: Child | undefined;
  #starting: Promise<void> | undefined;
  /** How each of its processes ended, in order. */
  readonly exits: Exit[] = [];
  starts = 0;

  constructor(
    readonly name: string,
    readonly port: number,
    readonly env: Record<string, string>,
    readonly logFile: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** True from spawn until it exits (it may not answer yet). */
  get running(): boolean {
    return this.#child !== undefined;
  }

  /** Running and past start-up: it has answered /readyz (its signal handlers are in place). */
  get ready(): boolean {
    return this.#child !== undefined && this.#starting === undefined;
  }

  #retired = false;

  /** Starts a process and waits until it answers /readyz (nothing once retired). */
  start(): Promise<void> {
    if (this.#retired) return Promise.resolve();
    if (this.#child) return this.#starting ?? Promise.resolve();
    this.starts += 1;
    const child = spawnBatchkeeper(
      ['serve'],
      { ...this.env, PORT: String(this.port), HOST: '127.0.0.1' },
      this.logFile,
    );
    this.#child = child;
    void child.exited.then((exit) => {
      this.exits.push(exit);
      if (this.#child === child) this.#child = undefined;
    });
    this.#starting = this.#waitReady(child).finally(() => {
      this.#starting = undefined;
    });
    return this.#starting;
  }

  /** Kills the process running now, if any, and starts none again. */
  async retire(): Promise<void> {
    this.#retired = true;
    if (this.#child) await this.kill('SIGKILL');
  }

  /** Sends `signal` and waits for the process to end; what it ended with. */
  async kill(signal: 'SIGKILL' | 'SIGTERM'): Promise<Exit> {
    const child = this.#child;
    if (!child) throw new Error(`${this.name} is not running`);
    this.#killed.add(child);
    child.process.kill(signal);
    return child.exited;
  }

  readonly #killed = new WeakSet<Child>();

  /** Resolves once the process answers /readyz, or once it was killed on purpose before that. */
  async #waitReady(child: Child): Promise<void> {
    let exited = false;
    void child.exited.then(() => {
      exited = true;
    });
    for (;;) {
      if (exited && this.#killed.has(child)) return;
      if (exited) throw new Error(`${this.name} exited while starting; see ${this.logFile}`);
      try {
        if ((await fetch(`${this.url}/readyz`)).status === 200) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
  }
}
