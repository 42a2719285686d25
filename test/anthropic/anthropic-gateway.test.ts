import { describe, expect, it } from 'vitest';
import { listPageSize } from '../../src/anthropic/batch-listing.js';
import { erroredResultType } from '../../src/anthropic/index.js';
import {
  AnthropicNotFoundError,
  BatchResultsUnavailableError,
  BatchWaitTimeoutError,
  isRetryableAnthropicErrorType,
} from '../../src/domain/anthropic.errors.js';
import { ValidationError } from '../../src/domain/errors.js';
import { collect, requests, startRig, succeededMessage } from './simulator-harness.js';

const DAY_MS = 24 * 60 * 60 * 1000;

describe('AnthropicGateway against the simulator', () => {
  describe('createBatch', () => {
    it('creates a batch and answers the MessageBatch', async () => {
      const rig = await startRig();
      const batch = await rig.gateway().createBatch(requests(3));
      expect(batch).toMatchObject({
        type: 'message_batch',
        processing_status: 'in_progress',
        request_counts: { processing: 3 },
      });
    });

    it('fills in the model and max_tokens a request leaves out, keeping the ones it gives', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const batch = await gateway.createBatch(
        [
          { custom_id: 'bare', params: { messages: [{ role: 'user', content: 'hi' }] } },
          {
            custom_id: 'own',
            params: {
              model: 'claude-opus-5-5',
              max_tokens: 3,
              messages: [{ role: 'user', content: 'hi' }],
            },
          },
        ],
        { model: 'claude-haiku-5-5', maxTokens: 500 },
      );
      rig.clock.advance(100);
      const lines = await collect(gateway.results(batch.id));
      const model = (id: string) => succeededMessage(lines.find((l) => l.custom_id === id)).model;
      expect(model('bare')).toBe('claude-haiku-5-5');
      expect(model('own')).toBe('claude-opus-5-5');
    });

    it('refuses a batch Anthropic would refuse without calling it', async () => {
      const rig = await startRig();
      const [a] = requests(1);
      const error = await rig
        .gateway()
        .createBatch([a!, a!])
        .catch((e) => e);
      expect(error).toBeInstanceOf(ValidationError);
      expect(error.issues).toEqual([
        { path: 'requests.1.custom_id', message: "duplicate custom_id 'r0'" },
      ]);
      expect(rig.sim.stats().httpRequests).toBe(0);
    });
  });

  describe('the anthropic-version it sends', () => {
    const warm = () =>
      requests(1).map((r) => ({ ...r, params: { ...r.params, temperature: 0.5 } }));
    const outcome = async (
      rig: Awaited<ReturnType<typeof startRig>>,
      send: () => Promise<{ id: string }>,
    ) => {
      const { id } = await send();
      rig.clock.advance(1000);
      return (await collect(rig.gateway().results(id)))[0]!.result.type;
    };

    it('is 2026-10-21 by default, so temperature comes back errored', async () => {
      const rig = await startRig();
      expect(await outcome(rig, () => rig.gateway().createBatch(warm()))).toBe('errored');
    });

    it('is the gateway option, or the version a batch names', async () => {
      const rig = await startRig();
      const pinned = rig.gateway({ anthropicVersion: '2023-06-01' });
      expect(await outcome(rig, () => pinned.createBatch(warm()))).toBe('succeeded');
      const perBatch = () => rig.gateway().createBatch(warm(), { anthropicVersion: '2023-06-01' });
      expect(await outcome(rig, perBatch)).toBe('succeeded');
    });
  });

  describe('getBatchStatus', () => {
    it('answers the batch as it stands', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(2));
      rig.clock.advance(100);
      expect(await gateway.getBatchStatus(id)).toMatchObject({
        id,
        processing_status: 'ended',
        request_counts: { succeeded: 2 },
      });
    });

    it('throws AnthropicNotFoundError, not retryable, for an unknown batch', async () => {
      const rig = await startRig();
      const error = await rig
        .gateway()
        .getBatchStatus('msgbatch_01unknown')
        .catch((e) => e);
      expect(error).toBeInstanceOf(AnthropicNotFoundError);
      expect(error).toMatchObject({ retryable: false, upstreamStatus: 404 });
      expect(error.requestId).toMatch(/^req_/);
      expect(rig.sim.stats().httpRequests).toBe(1);
    });
  });

  describe('cancelBatch', () => {
    it('cancels mid-way: the done requests stay succeeded, the rest come back canceled', async () => {
      const rig = await startRig({ latencyMs: 10_000 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(10));
      rig.clock.advance(3_000);
      expect((await gateway.cancelBatch(id)).processing_status).toBe('canceling');
      const ended = await gateway.waitForBatch(id, { pollInterval: 500 });
      expect(ended.request_counts).toMatchObject({ succeeded: 3, canceled: 7 });
      const types = (await collect(gateway.results(id))).map((line) => line.result.type);
      expect(types.filter((t) => t === 'succeeded')).toHaveLength(3);
      expect(types.filter((t) => t === 'canceled')).toHaveLength(7);
    });

    it('answers a batch that had already ended as it is', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      rig.clock.advance(100);
      expect(await gateway.cancelBatch(id)).toMatchObject({
        processing_status: 'ended',
        request_counts: { succeeded: 1, canceled: 0 },
      });
    });
  });

  describe('deleteBatch', () => {
    it('deletes an ended batch', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      rig.clock.advance(100);
      expect(await gateway.deleteBatch(id)).toMatchObject({ id, type: 'message_batch_deleted' });
      await expect(gateway.getBatchStatus(id)).rejects.toBeInstanceOf(AnthropicNotFoundError);
    });
  });

  describe('listing', () => {
    async function rigWithBatches(count: number) {
      const rig = await startRig();
      const gateway = rig.gateway();
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push((await gateway.createBatch(requests(1))).id);
        rig.clock.advance(60_000);
      }
      return { ...rig, gateway, newestFirst: ids.reverse() };
    }

    it('gives one page with its cursors', async () => {
      const { gateway, newestFirst } = await rigWithBatches(5);
      const page = await gateway.listBatches({ limit: 2 });
      expect(page.data.map((b) => b.id)).toEqual(newestFirst.slice(0, 2));
      expect(page).toMatchObject({
        hasMore: true,
        firstId: newestFirst[0],
        lastId: newestFirst[1],
      });
      const older = await gateway.listBatches({ limit: 2, afterId: page.lastId! });
      expect(older.data.map((b) => b.id)).toEqual(newestFirst.slice(2, 4));
      const newer = await gateway.listBatches({ limit: 2, beforeId: older.firstId! });
      expect(newer.data.map((b) => b.id)).toEqual(newestFirst.slice(0, 2));
    });

    it('walks every page with listAllBatches', async () => {
      const { gateway, newestFirst } = await rigWithBatches(5);
      const all = await collect(gateway.listAllBatches({ pageSize: 2 }));
      expect(all.map((b) => b.id)).toEqual(newestFirst);
    });

    it('stops at the first batch created before createdAfter, with their request counts', async () => {
      const { gateway, newestFirst, clock } = await rigWithBatches(5);
      const since = new Date(clock.now().getTime() - 3 * 60_000);
      const recent = await collect(gateway.listAllBatches({ createdAfter: since, pageSize: 2 }));
      expect(recent.map((b) => b.id)).toEqual(newestFirst.slice(0, 3));
      expect(recent.map((b) => b.request_counts.succeeded)).toEqual([1, 1, 1]);
    });
  });

  describe('refreshBatches', () => {
    it('refreshes many batches with one list call instead of a retrieve each', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const ids: string[] = [];
      for (let i = 0; i < 8; i++) ids.push((await gateway.createBatch(requests(1))).id);
      rig.clock.advance(100);
      const before = rig.sim.stats().httpRequests;
      const { batches, missing } = await gateway.refreshBatches(ids.slice(2));
      expect(rig.sim.stats().httpRequests - before).toBe(1);
      expect([...batches.keys()].sort()).toEqual(ids.slice(2).sort());
      expect([...batches.values()].every((b) => b.processing_status === 'ended')).toBe(true);
      expect(missing).toEqual([]);
    });

    it('refreshes a single batch with one call (a list page, which shows it with its results_url)', async () => {
      const rig = await startRig();
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      const before = rig.sim.stats().httpRequests;
      const { batches } = await gateway.refreshBatches([id]);
      expect(batches.get(id)?.id).toBe(id);
      expect(batches.get(id)).toHaveProperty('results_url');
      expect(rig.sim.stats().httpRequests - before).toBe(1);
    });

    it('reads a page sized to the batches it looks for, and pages on, larger, for older ones', async () => {
      const rig = await startRig();
      const gateway = rig.gateway();
      const ids: string[] = [];
      for (let i = 0; i < 120; i++) ids.push((await gateway.createBatch(requests(1))).id);
      const newest = ids.slice(-3);
      let before = rig.sim.stats().httpRequests;
      const recent = await gateway.refreshBatches(newest);
      expect(rig.sim.stats().httpRequests - before).toBe(1);
      expect([...recent.batches.keys()].sort()).toEqual([...newest].sort());
      expect(recent.listed).toBe(listPageSize(3, 0));
      expect(recent.listed).toBeLessThan(ids.length);

      const oldest = [ids[0]!, ids[1]!];
      before = rig.sim.stats().httpRequests;
      const old = await gateway.refreshBatches(oldest);
      expect([...old.batches.keys()].sort()).toEqual([...oldest].sort());
      expect(old.missing).toEqual([]);
      // The 20 newest, then a page of up to 1,000: two calls, no retrieve.
      expect(rig.sim.stats().httpRequests - before).toBe(2);
      expect(old.listed).toBe(ids.length);
    });

    it('reports ids Anthropic does not know as missing', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      rig.clock.advance(100);
      await gateway.deleteBatch(id);
      const kept = (await gateway.createBatch(requests(1))).id;
      const { batches, missing } = await gateway.refreshBatches([id, kept]);
      expect([...batches.keys()]).toEqual([kept]);
      expect(missing).toEqual([id]);
    });
  });

  describe('results', () => {
    it('yields every result as a typed line', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(25));
      rig.clock.advance(100);
      const lines = await collect(gateway.results(id));
      expect(lines.map((l) => l.custom_id).sort()).toEqual(
        requests(25)
          .map((r) => r.custom_id)
          .sort(),
      );
      expect(lines.every((l) => l.result.type === 'succeeded')).toBe(true);
    });

    it('streams the results of a 10,000-request batch, each line once', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(10_000));
      rig.clock.advance(100);
      const ids = new Set<string>();
      for await (const line of gateway.results(id)) ids.add(line.custom_id);
      expect(ids.size).toBe(10_000);
    });

    it('reads the nested error envelope of errored results', async () => {
      const rig = await startRig({
        latencyMs: 100,
        faults: { erroredResultRates: { overloaded_error: 0.5, api_error: 0.5 } },
      });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(20));
      rig.clock.advance(100);
      const types = new Set((await collect(gateway.results(id))).map(erroredResultType));
      expect(types).toEqual(new Set(['overloaded_error', 'api_error']));
      expect([...types].every((type) => isRetryableAnthropicErrorType(type!))).toBe(true);
    });

    it('says the results are not ready while the batch is in progress', async () => {
      const rig = await startRig();
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      const error = await collect(gateway.results(id)).catch((e) => e);
      expect(error).toBeInstanceOf(BatchResultsUnavailableError);
      expect(error).toMatchObject({ reason: 'not_ended', retryable: true });
    });

    it('says the results are gone once the batch is archived', async () => {
      const rig = await startRig({ latencyMs: 100 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      rig.clock.advance(29 * DAY_MS);
      const error = await collect(gateway.getBatchResults(id)).catch((e) => e);
      expect(error).toBeInstanceOf(BatchResultsUnavailableError);
      expect(error).toMatchObject({ reason: 'archived', retryable: false });
    });
  });

  describe('waitForBatch', () => {
    it('polls until the batch has ended, waiting longer each time', async () => {
      const rig = await startRig({ latencyMs: 60_000 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      const ended = await gateway.waitForBatch(id, { pollInterval: 5000 });
      expect(ended.processing_status).toBe('ended');
      expect(rig.sleeps).toEqual([5000, 7500, 11250, 16875, 25312.5]);
    });

    it('never waits longer than maxPollInterval between polls', async () => {
      const rig = await startRig({ latencyMs: 10 * 60_000 });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      await gateway.waitForBatch(id, { pollInterval: 5000, maxPollInterval: 20_000 });
      expect(Math.max(...rig.sleeps)).toBe(20_000);
    });

    it('gives up with BatchWaitTimeoutError after maxWait', async () => {
      const rig = await startRig({ latencyMs: DAY_MS });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      const error = await gateway.waitForBatch(id, { maxWait: 60_000 }).catch((e) => e);
      expect(error).toBeInstanceOf(BatchWaitTimeoutError);
      expect(error).toMatchObject({ batchId: id, waitedMs: 60_000 });
    });

    it('stops when its signal aborts', async () => {
      const rig = await startRig({ latencyMs: DAY_MS });
      const gateway = rig.gateway();
      const { id } = await gateway.createBatch(requests(1));
      const controller = new AbortController();
      controller.abort(new Error('shutting down'));
      await expect(gateway.waitForBatch(id, { signal: controller.signal })).rejects.toThrow(
        'shutting down',
      );
    });
  });
});
