import type { BatchApi, RemoteBatch } from './batch-api.port.js';

interface Waiter {
  resolve: (batches: Map<string, RemoteBatch>) => void;
  reject: (error: unknown) => void;
}

/**
 * One instance's view of its batches at Anthropic. Every driver asks it for
 * the batches it wants to look at; the questions asked in the same turn of
 * the event loop are answered by one `refreshBatches` (list pages, which show
 * many batches a call), so following N jobs costs about one call per round,
 * not N retrieves.
 */
export class BatchStatusBoard {
  readonly #api: BatchApi;
  #wanted = new Set<string>();
  #waiters: Waiter[] = [];
  #scheduled = false;

  constructor(api: BatchApi) {
    this.#api = api;
  }

  /** The current state of each batch (a batch Anthropic does not know is left out). */
  look(batchIds: readonly string[]): Promise<Map<string, RemoteBatch>> {
    for (const id of batchIds) this.#wanted.add(id);
    const answer = new Promise<Map<string, RemoteBatch>>((resolve, reject) =>
      this.#waiters.push({ resolve, reject }),
    );
    if (!this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => void this.#refresh());
    }
    return answer;
  }

  async #refresh(): Promise<void> {
    const wanted = this.#wanted;
    const waiters = this.#waiters;
    this.#wanted = new Set();
    this.#waiters = [];
    this.#scheduled = false;
    try {
      const { batches } = await this.#api.refreshBatches(wanted);
      for (const waiter of waiters) waiter.resolve(batches);
    } catch (error) {
      for (const waiter of waiters) waiter.reject(error);
    }
  }
}
