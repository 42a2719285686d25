import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { collect, errorBody, rawFetch, startRig } from './simulator-harness.js';

// Sources: https://platform.claude.com/docs/en/api/versioning (2026-10-21 changes),
// https://platform.claude.com/docs/en/build-with-claude/batch-processing (batch-only limits),
// https://platform.claude.com/docs/en/about-claude/model-deprecations (retirement),
// https://platform.claude.com/docs/en/api/errors (error shape, error.details.error_code).

const ask = (custom_id: string, extra: Record<string, unknown> = {}) =>
  ({
    custom_id,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: `question ${custom_id}` }],
      ...extra,
    },
  }) as unknown as Anthropic.Messages.BatchCreateParams.Request;

/** An SDK pinned to `version` (the header the SDK would otherwise default). */
function sdkUnder(url: string, version: string) {
  return new Anthropic({
    apiKey: 'test-key',
    baseURL: url,
    maxRetries: 0,
    defaultHeaders: { 'anthropic-version': version },
  });
}

async function outcomes(sdk: Anthropic, advance: () => void, requests: unknown[]) {
  const batch = await sdk.messages.batches.create({
    requests: requests as Anthropic.Messages.BatchCreateParams.Request[],
  });
  advance();
  const lines = await collect(await sdk.messages.batches.results(batch.id));
  return new Map(lines.map((line) => [line.custom_id, line.result]));
}

describe('the simulator under each anthropic-version, driven by the real SDK', () => {
  it('lets temperature through under 2023-06-01', async () => {
    const { sim, clock } = await startRig({ latencyMs: 10 });
    const sdk = sdkUnder(sim.url, '2023-06-01');
    const results = await outcomes(sdk, () => clock.advance(10), [
      ask('warm', { temperature: 0.5 }),
    ]);
    expect(results.get('warm')?.type).toBe('succeeded');
  });

  it('errors temperature, top_p and top_k under 2026-10-21 (the SDK default) with the API text', async () => {
    const { sdk, clock } = await startRig({ latencyMs: 10 });
    const results = await outcomes(sdk, () => clock.advance(10), [
      ask('t', { temperature: 1 }),
      ask('p', { top_p: 0.9 }),
      ask('k', { top_k: 5 }),
      ask('plain'),
    ]);
    expect(results.get('t')).toEqual({
      type: 'errored',
      error: {
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: 'temperature: Extra inputs are not permitted',
        },
        request_id: expect.any(String),
      },
    });
    expect(results.get('p')).toMatchObject({
      error: { error: { message: 'top_p: Extra inputs are not permitted' } },
    });
    expect(results.get('k')).toMatchObject({
      error: { error: { message: 'top_k: Extra inputs are not permitted' } },
    });
    expect(results.get('plain')?.type).toBe('succeeded');
  });

  it('errors a document block in an assistant message and citations in user text under 2026-10-21 only', async () => {
    const { sim, clock } = await startRig({ latencyMs: 10 });
    const document = {
      type: 'document',
      source: { type: 'text', media_type: 'text/plain', data: 'x' },
    };
    const cited = {
      type: 'text',
      text: 'see',
      citations: [{ type: 'char_location', cited_text: 'x', document_index: 0 }],
    };
    const requests = [
      ask('doc', {
        messages: [
          { role: 'user', content: 'hi' },
          { role: 'assistant', content: [document] },
          { role: 'user', content: 'go on' },
        ],
      }),
      ask('cite', { messages: [{ role: 'user', content: [cited] }] }),
    ];
    const latest = await outcomes(
      sdkUnder(sim.url, '2026-10-21'),
      () => clock.advance(10),
      requests,
    );
    expect(latest.get('doc')).toMatchObject({
      type: 'errored',
      error: {
        error: {
          message: 'messages.1.content.0: document blocks are not permitted in assistant messages',
        },
      },
    });
    expect(latest.get('cite')).toMatchObject({
      type: 'errored',
      error: { error: { message: expect.stringContaining('messages.0.content.0.citations') } },
    });
    const older = await outcomes(
      sdkUnder(sim.url, '2023-06-01'),
      () => clock.advance(10),
      requests,
    );
    expect([older.get('doc')?.type, older.get('cite')?.type]).toEqual(['succeeded', 'succeeded']);
  });

  it('errors what a batch cannot hold, an unknown model and max_tokens over the model limit, under both versions', async () => {
    const { sim, clock } = await startRig({ latencyMs: 10 });
    for (const version of ['2023-06-01', '2026-10-21']) {
      const results = await outcomes(sdkUnder(sim.url, version), () => clock.advance(10), [
        ask('speed', { speed: 'fast' }),
        ask('store', { store: true }),
        ask('hint', { cache_hint: { type: 'auto' } }),
        ask('unknown', { model: 'claude-nonesuch-9' }),
        ask('huge', { max_tokens: 10_000_000 }),
      ]);
      expect(results.get('speed')).toMatchObject({
        error: {
          error: { type: 'invalid_request_error', message: expect.stringMatching(/^speed: /) },
        },
      });
      expect(results.get('store')?.type).toBe('errored');
      expect(results.get('hint')?.type).toBe('errored');
      expect(results.get('unknown')).toMatchObject({
        error: { error: { type: 'not_found_error', message: 'model: claude-nonesuch-9' } },
      });
      expect(results.get('huge')).toMatchObject({
        error: {
          error: {
            message:
              'max_tokens: 10000000 > 128000, which is the maximum allowed number of output tokens for claude-sonnet-5-5',
          },
        },
      });
    }
  });

  it('raises a batch max output to 300k with the output-300k beta, on the models that support it', async () => {
    const { sim, clock } = await startRig({ latencyMs: 10 });
    const big = [ask('big', { model: 'claude-opus-5-5', max_tokens: 200_000 })];
    const plain = await outcomes(sdkUnder(sim.url, '2026-10-21'), () => clock.advance(10), big);
    expect(plain.get('big')?.type).toBe('errored');
    const beta = new Anthropic({
      apiKey: 'test-key',
      baseURL: sim.url,
      maxRetries: 0,
      defaultHeaders: { 'anthropic-beta': 'output-300k-2026-03-24' },
    });
    const raised = await outcomes(beta, () => clock.advance(10), big);
    expect(raised.get('big')?.type).toBe('succeeded');
  });

  it('errors a retired model once the clock has passed its retirement', async () => {
    const { sdk, clock } = await startRig({ latencyMs: 10 });
    const request = [ask('old', { model: 'claude-sonnet-4-5' })];
    expect((await outcomes(sdk, () => clock.advance(10), request)).get('old')?.type).toBe(
      'succeeded',
    );
    clock.set(new Date('2026-12-01T00:00:00Z'));
    expect((await outcomes(sdk, () => clock.advance(10), request)).get('old')).toMatchObject({
      error: {
        error: {
          type: 'not_found_error',
          message: 'model: claude-sonnet-4-5 was retired on 2026-11-30',
        },
      },
    });
  });

  it('refuses an anthropic-version it does not know with a 400', async () => {
    const { sim } = await startRig();
    const sdk = sdkUnder(sim.url, '2025-01-01');
    const refused = await sdk.messages.batches.create({ requests: [ask('a')] }).catch((e) => e);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect(refused.error.error).toMatchObject({
      type: 'invalid_request_error',
      message: expect.stringContaining('"2025-01-01" is not a valid version'),
    });
    expect(sim.stats().batchesCreated).toBe(0);
  });
});

describe('the simulator as the real API answers it', () => {
  it('accepts the key as Authorization: Bearer (as the SDK sends it) or as x-api-key, and nothing else', async () => {
    const { sim } = await startRig();
    const bearer = await fetch(`${sim.url}/v1/messages/batches`, {
      headers: { authorization: 'Bearer k', 'anthropic-version': '2026-10-21' },
    });
    const apiKey = await rawFetch(sim, '/v1/messages/batches');
    const none = await fetch(`${sim.url}/v1/messages/batches`, {
      headers: { 'anthropic-version': '2026-10-21' },
    });
    expect([bearer.status, apiKey.status, none.status]).toEqual([200, 200, 401]);
  });

  it('names the organization on every answer', async () => {
    const { sim, sdk } = await startRig();
    const { response } = await sdk.messages.batches.list().withResponse();
    expect(response.headers.get('anthropic-organization-id')).toMatch(/^[0-9a-f-]{36}$/);
    const refused = await rawFetch(sim, '/v1/messages/batches/nope');
    expect(refused.headers.get('anthropic-organization-id')).toBe(
      response.headers.get('anthropic-organization-id'),
    );
  });

  it('gives a batch creation it refuses for its body encoding an error.details.error_code', async () => {
    const { sim } = await startRig();
    const response = await rawFetch(sim, '/v1/messages/batches', {
      method: 'POST',
      headers: { 'content-encoding': 'br' },
      body: JSON.stringify({ requests: [ask('a')] }),
    });
    expect(response.status).toBe(400);
    expect((await errorBody(response)).error).toMatchObject({
      type: 'invalid_request_error',
      details: { error_code: 'request_body_encoding_unsupported' },
    });
  });

  it('lists the models (retired ones on request) and gets one by id, through the SDK', async () => {
    const { sdk, clock } = await startRig();
    clock.set(new Date('2026-12-01T00:00:00Z'));
    const listed: Anthropic.Models.ModelInfo[] = [];
    for await (const model of sdk.models.list({ limit: 3 })) listed.push(model);
    expect(listed.map((m) => m.id)).toContain('claude-opus-5-5');
    expect(listed.every((m) => m.lifecycle !== 'retired')).toBe(true);
    const everything: Anthropic.Models.ModelInfo[] = [];
    for await (const model of sdk.models.list({ lifecycle: ['retired'] })) everything.push(model);
    expect(everything.map((m) => m.id)).toEqual(
      expect.arrayContaining(['claude-sonnet-4-20250514', 'claude-sonnet-4-5']),
    );
    const sonnet4 = await sdk.models.retrieve('claude-sonnet-4-20250514');
    expect(sonnet4).toMatchObject({
      type: 'model',
      lifecycle: 'retired',
      retires_at: '2026-06-15T00:00:00Z',
    });
    const missing = await sdk.models.retrieve('claude-nonesuch-9').catch((e) => e);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);
  });
});
