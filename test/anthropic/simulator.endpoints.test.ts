import { request as httpRequest } from 'node:http';
import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import {
  collect,
  errorBody,
  rawFetch,
  START,
  sdkRequests,
  startRig,
  succeededMessage,
} from './simulator-harness.js';

const RFC3339_MICROS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const DAY_MS = 24 * 60 * 60 * 1000;

describe('the simulator, driven by the real SDK over HTTP', () => {
  describe('create', () => {
    it('answers a MessageBatch in progress with every field the API sends', async () => {
      const { sdk } = await startRig();
      const batch = await sdk.messages.batches.create({ requests: sdkRequests(3) });
      expect(batch).toEqual({
        id: expect.stringMatching(/^msgbatch_01[0-9A-Za-z]{22}$/),
        type: 'message_batch',
        processing_status: 'in_progress',
        request_counts: { processing: 3, succeeded: 0, errored: 0, canceled: 0, expired: 0 },
        ended_at: null,
        created_at: '2026-01-05T10:00:00.000000Z',
        expires_at: '2026-01-06T10:00:00.000000Z',
        archived_at: null,
        cancel_initiated_at: null,
        results_url: null,
      });
    });

    it('refuses a batch with no requests with a 400 invalid_request_error', async () => {
      const { sdk } = await startRig();
      const error = await sdk.messages.batches.create({ requests: [] }).catch((e) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(error.type).toBe('invalid_request_error');
    });

    it('refuses a batch of more than 100,000 requests', async () => {
      const { sdk } = await startRig();
      const tooMany = Array.from({ length: 100_001 }, (_, i) => ({
        custom_id: `r${i}`,
        params: { model: 'm', max_tokens: 1, messages: [{ role: 'user' as const, content: 'x' }] },
      }));
      const error = await sdk.messages.batches.create({ requests: tooMany }).catch((e) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(error.apiMessage).toMatch(/100000/);
    });

    it.each([
      ['empty', ''],
      ['too long', 'x'.repeat(65)],
      ['with a space', 'a b'],
      ['with a dot', 'a.b'],
    ])('refuses a custom_id that is %s', async (_, customId) => {
      const { sdk } = await startRig();
      const [request] = sdkRequests(1);
      const error = await sdk.messages.batches
        .create({ requests: [{ ...request!, custom_id: customId }] })
        .catch((e) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(error.apiMessage).toMatch(/custom_id/);
    });

    it('refuses two requests with the same custom_id', async () => {
      const { sdk } = await startRig();
      const [a, b] = sdkRequests(2);
      const error = await sdk.messages.batches
        .create({ requests: [a!, { ...b!, custom_id: a!.custom_id }] })
        .catch((e) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
      expect(error.apiMessage).toMatch(/duplicate custom_id 'r0'/);
    });

    it('refuses a body over the size limit with a 413 request_too_large', async () => {
      const { sdk } = await startRig({ maxRequestBytes: 2_000 });
      const error = await sdk.messages.batches
        .create({ requests: sdkRequests(50) })
        .catch((e) => e);
      expect(error).toBeInstanceOf(Anthropic.ContentTooLargeError);
      expect(error.type).toBe('request_too_large');
    });

    it('refuses a body announced as larger than 256 MB before reading it', async () => {
      const { sim } = await startRig();
      const status = await new Promise<number>((resolve, reject) => {
        const call = httpRequest(
          `${sim.url}/v1/messages/batches`,
          {
            method: 'POST',
            headers: {
              'x-api-key': 'k',
              'anthropic-version': '2023-06-01',
              'content-type': 'application/json',
              'content-length': String(256 * 1024 * 1024 + 1),
            },
          },
          (response) => {
            response.resume();
            resolve(response.statusCode ?? 0);
          },
        );
        call.on('error', reject);
        call.write('{"requests": [');
      });
      expect(status).toBe(413);
    });

    it('accepts requests with bad params and returns them errored with invalid_request_error', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 1000 });
      const [good] = sdkRequests(1);
      const bad = [
        {
          custom_id: 'no-messages',
          params: { model: 'claude-sonnet-5-5', max_tokens: 5, messages: [] },
        },
        {
          custom_id: 'no-max-tokens',
          params: { model: 'claude-sonnet-5-5', messages: [{ role: 'user', content: 'x' }] },
        },
        {
          custom_id: 'streaming',
          params: {
            model: 'claude-sonnet-5-5',
            max_tokens: 5,
            stream: true,
            messages: [{ role: 'user', content: 'x' }],
          },
        },
      ] as unknown as Anthropic.Messages.BatchCreateParams.Request[];
      const batch = await sdk.messages.batches.create({ requests: [good!, ...bad] });
      clock.advance(1000);
      const results = await collect(await sdk.messages.batches.results(batch.id));
      const errored = results.filter((line) => line.result.type === 'errored');
      expect(errored.map((line) => line.custom_id).sort()).toEqual([
        'no-max-tokens',
        'no-messages',
        'streaming',
      ]);
      for (const line of errored) {
        expect(line.result).toMatchObject({
          type: 'errored',
          error: { type: 'error', error: { type: 'invalid_request_error' } },
        });
      }
      expect(results.find((line) => line.custom_id === 'no-max-tokens')?.result).toMatchObject({
        error: { error: { message: 'max_tokens: Field required' } },
      });
    });
  });

  describe('retrieve', () => {
    it('answers 404 not_found_error for an unknown batch', async () => {
      const { sdk } = await startRig();
      const error = await sdk.messages.batches.retrieve('msgbatch_unknown').catch((e) => e);
      expect(error).toBeInstanceOf(Anthropic.NotFoundError);
      expect(error.type).toBe('not_found_error');
    });

    it('writes every time as RFC 3339 with microseconds', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 10 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      clock.advance(30 * DAY_MS);
      const batch = await sdk.messages.batches.retrieve(id);
      for (const time of [batch.created_at, batch.expires_at, batch.ended_at, batch.archived_at]) {
        expect(time).toMatch(RFC3339_MICROS);
      }
    });
  });

  describe('list', () => {
    async function rigWithBatches(count: number) {
      const rig = await startRig();
      const ids: string[] = [];
      for (let i = 0; i < count; i++) {
        ids.push((await rig.sdk.messages.batches.create({ requests: sdkRequests(1) })).id);
        rig.clock.advance(1000);
      }
      return { ...rig, newestFirst: ids.reverse() };
    }

    it('gives the 20 newest first by default, saying there are more', async () => {
      const { sdk, newestFirst } = await rigWithBatches(25);
      const page = await sdk.messages.batches.list();
      expect(page.data.map((b) => b.id)).toEqual(newestFirst.slice(0, 20));
      expect(page.has_more).toBe(true);
      expect(page.first_id).toBe(newestFirst[0]);
      expect(page.last_id).toBe(newestFirst[19]);
    });

    it('pages forward with after_id until the oldest (SDK auto-pagination)', async () => {
      const { sdk, newestFirst } = await rigWithBatches(7);
      const all = await collect(sdk.messages.batches.list({ limit: 3 }));
      expect(all.map((b) => b.id)).toEqual(newestFirst);
    });

    it('pages backward with before_id towards the newest', async () => {
      const { sdk, newestFirst } = await rigWithBatches(7);
      const oldest = newestFirst.at(-1)!;
      const first = await sdk.messages.batches.list({ limit: 2, before_id: oldest });
      expect(first.data.map((b) => b.id)).toEqual(newestFirst.slice(4, 6));
      expect(first.has_more).toBe(true);
      const pages = await collect(first.iterPages());
      expect(pages.flatMap((page) => page.data.map((b) => b.id)).sort()).toEqual(
        newestFirst.slice(0, 6).sort(),
      );
      expect(pages.at(-1)!.has_more).toBe(false);
    });

    it('keeps a cursor working after its batch is deleted', async () => {
      const { sdk, clock, newestFirst } = await rigWithBatches(4);
      clock.advance(2000);
      await sdk.messages.batches.delete(newestFirst[1]!);
      const page = await sdk.messages.batches.list({ after_id: newestFirst[1]! });
      expect(page.data.map((b) => b.id)).toEqual(newestFirst.slice(2));
    });

    it.each(['0', '1001', 'ten'])('refuses limit=%s', async (limit) => {
      const { sim } = await startRig();
      const response = await rawFetch(sim, `/v1/messages/batches?limit=${limit}`);
      expect(response.status).toBe(400);
      expect((await errorBody(response)).error.type).toBe('invalid_request_error');
    });

    it('gives an empty page when there are no batches', async () => {
      const { sdk } = await startRig();
      const page = await sdk.messages.batches.list();
      expect(page).toMatchObject({ data: [], has_more: false, first_id: null, last_id: null });
    });
  });

  describe('cancel', () => {
    it('moves a batch to canceling with cancel_initiated_at, then to ended', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 10_000, cancelLatencyMs: 500 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(4) });
      clock.advance(1000);
      const canceling = await sdk.messages.batches.cancel(id);
      expect(canceling.processing_status).toBe('canceling');
      expect(canceling.cancel_initiated_at).toBe('2026-01-05T10:00:01.000000Z');
      expect(canceling.request_counts.processing).toBe(4);
      clock.advance(500);
      const ended = await sdk.messages.batches.retrieve(id);
      expect(ended.processing_status).toBe('ended');
      expect(ended.ended_at).toBe('2026-01-05T10:00:01.500000Z');
    });

    it('keeps the requests done before the cancel and cancels the rest', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 10_000 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(10) });
      clock.advance(5_000);
      await sdk.messages.batches.cancel(id);
      clock.advance(1_000);
      const ended = await sdk.messages.batches.retrieve(id);
      expect(ended.request_counts).toEqual({
        processing: 0,
        succeeded: 5,
        errored: 0,
        canceled: 5,
        expired: 0,
      });
      const results = await collect(await sdk.messages.batches.results(id));
      const types = results.map((line) => line.result.type);
      expect(types.filter((type) => type === 'succeeded')).toHaveLength(5);
      expect(types.filter((type) => type === 'canceled')).toHaveLength(5);
    });

    it('refuses to cancel a batch that has ended', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 100 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      clock.advance(100);
      const error = await sdk.messages.batches.cancel(id).catch((e) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    });
  });

  describe('delete', () => {
    it('refuses to delete a batch in progress', async () => {
      const { sdk } = await startRig();
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      const error = await sdk.messages.batches.delete(id).catch((e) => e);
      expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    });

    it('deletes an ended batch, after which it is not found', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 100 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      clock.advance(100);
      expect(await sdk.messages.batches.delete(id)).toMatchObject({
        id,
        type: 'message_batch_deleted',
      });
      await expect(sdk.messages.batches.retrieve(id)).rejects.toBeInstanceOf(
        Anthropic.NotFoundError,
      );
    });
  });

  describe('results', () => {
    it('puts an absolute results_url on the host the caller used', async () => {
      const { sdk, sim, clock } = await startRig({ latencyMs: 100 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      clock.advance(100);
      const batch = await sdk.messages.batches.retrieve(id);
      expect(batch.results_url).toBe(`${sim.url}/v1/messages/batches/${id}/results`);
    });

    it('serves JSONL, one newline-terminated result per request', async () => {
      const { sdk, sim, clock } = await startRig({ latencyMs: 100 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(5) });
      clock.advance(100);
      const text = await (await rawFetch(sim, `/v1/messages/batches/${id}/results`)).text();
      expect(text.endsWith('\n')).toBe(true);
      const lines = text
        .slice(0, -1)
        .split('\n')
        .map((line) => JSON.parse(line));
      expect(lines.map((line) => line.custom_id).sort()).toEqual(['r0', 'r1', 'r2', 'r3', 'r4']);
    });

    it('gives each succeeded request a full Message with batch usage', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 100 });
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      clock.advance(100);
      const [line] = await collect(await sdk.messages.batches.results(id));
      expect(line).toEqual({
        custom_id: 'r0',
        result: {
          type: 'succeeded',
          message: {
            id: expect.stringMatching(/^msg_01/),
            type: 'message',
            role: 'assistant',
            model: 'claude-sonnet-5-5',
            content: [{ type: 'text', text: expect.stringContaining('Question number 0') }],
            stop_reason: 'end_turn',
            stop_sequence: null,
            stop_details: null,
            container: null,
            diagnostics: null,
            usage: {
              input_tokens: expect.any(Number),
              output_tokens: expect.any(Number),
              cache_creation_input_tokens: 0,
              cache_read_input_tokens: 0,
              cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
              server_tool_use: null,
              service_tier: 'batch',
              inference_geo: null,
              output_tokens_details: null,
              speed: null,
            },
          },
        },
      });
    });

    it('answers the same request with the same message every time', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 100 });
      const first = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      const second = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      clock.advance(100);
      const [a] = await collect(await sdk.messages.batches.results(first.id));
      const [b] = await collect(await sdk.messages.batches.results(second.id));
      const { content, usage } = succeededMessage(a);
      expect(succeededMessage(b)).toMatchObject({ content, usage });
    });

    it('counts more input tokens for a longer request, and stops at max_tokens', async () => {
      const { sdk, clock } = await startRig({ latencyMs: 100 });
      const ask = (custom_id: string, content: string, max_tokens: number) => ({
        custom_id,
        params: {
          model: 'claude-sonnet-5-5',
          max_tokens,
          messages: [{ role: 'user' as const, content }],
        },
      });
      const { id } = await sdk.messages.batches.create({
        requests: [
          ask('short', 'hi', 100),
          ask('long', 'hi '.repeat(400), 100),
          ask('capped', 'hi', 2),
        ],
      });
      clock.advance(100);
      const results = await collect(await sdk.messages.batches.results(id));
      const message = (customId: string) =>
        succeededMessage(results.find((line) => line.custom_id === customId));
      expect(message('long').usage.input_tokens).toBeGreaterThan(
        message('short').usage.input_tokens * 100,
      );
      expect(message('capped')).toMatchObject({
        stop_reason: 'max_tokens',
        usage: { output_tokens: 2 },
      });
    });

    it('refuses the results of a batch still in progress', async () => {
      const { sdk, sim } = await startRig();
      const { id } = await sdk.messages.batches.create({ requests: sdkRequests(1) });
      const response = await rawFetch(sim, `/v1/messages/batches/${id}/results`);
      expect(response.status).toBe(400);
    });
  });

  describe('every answer', () => {
    it('carries a request-id header, errors included', async () => {
      const { sim } = await startRig();
      const ok = await rawFetch(sim, '/v1/messages/batches');
      const missing = await rawFetch(sim, '/v1/messages/batches/msgbatch_nope');
      expect(ok.headers.get('request-id')).toMatch(/^req_/);
      expect(missing.headers.get('request-id')).toMatch(/^req_/);
      expect((await errorBody(missing)).request_id).toBe(missing.headers.get('request-id'));
    });

    it('is 401 authentication_error without an API key', async () => {
      const { sim } = await startRig();
      const response = await fetch(`${sim.url}/v1/messages/batches`, {
        headers: { 'anthropic-version': '2023-06-01' },
      });
      expect(response.status).toBe(401);
      expect(await errorBody(response)).toEqual({
        type: 'error',
        error: { type: 'authentication_error', message: expect.any(String) },
        request_id: response.headers.get('request-id'),
      });
    });

    it('accepts any non-empty key, as x-api-key or as a bearer token', async () => {
      const { sim } = await startRig();
      const asHeader = await rawFetch(sim, '/v1/messages/batches', {
        headers: { 'x-api-key': 'anything' },
      });
      const asBearer = await fetch(`${sim.url}/v1/messages/batches`, {
        headers: { authorization: 'Bearer whatever', 'anthropic-version': '2023-06-01' },
      });
      expect([asHeader.status, asBearer.status]).toEqual([200, 200]);
    });

    it('is 404 not_found_error JSON for a route the API does not have', async () => {
      const { sim } = await startRig();
      const response = await rawFetch(sim, '/v1/nothing-here');
      expect(response.status).toBe(404);
      expect((await errorBody(response)).error.type).toBe('not_found_error');
    });
  });

  it('starts its clock at the injected one', async () => {
    const { sim } = await startRig();
    expect(sim.clock.now()).toEqual(START);
  });
});
