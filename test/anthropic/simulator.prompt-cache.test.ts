import type Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { collect, startRig, type TestRig } from './simulator-harness.js';

const MINUTE_MS = 60 * 1000;
const LATENCY_MS = 1000;

type Ttl = '5m' | '1h';
type Usage = Anthropic.Messages.Usage;

/** A long system prompt marked for caching (5 m unless `ttl` says 1 h), then a question of its own. */
function cachedParams(context: string, question: string, ttl?: Ttl) {
  return {
    model: 'claude-sonnet-5-5',
    max_tokens: 32,
    system: [
      {
        type: 'text' as const,
        text: `${context}: ${'Shared instructions every request repeats. '.repeat(50)}`,
        cache_control: { type: 'ephemeral' as const, ...(ttl === '1h' ? { ttl } : {}) },
      },
    ],
    messages: [{ role: 'user' as const, content: question }],
  };
}

type Params = ReturnType<typeof cachedParams> | Anthropic.Messages.MessageCreateParamsNonStreaming;

/** Creates a batch of `params`, lets it end, and answers each request's usage in order. */
async function runBatch(rig: TestRig, params: Params[]): Promise<Usage[]> {
  const batch = await rig.sdk.messages.batches.create({
    requests: params.map((p, i) => ({ custom_id: `q${i}`, params: p })),
  });
  rig.clock.advance(LATENCY_MS);
  const results = await collect(await rig.sdk.messages.batches.results(batch.id));
  return params.map((_, i) => {
    const line = results.find((r) => r.custom_id === `q${i}`);
    if (line?.result.type !== 'succeeded') throw new Error(`q${i} did not succeed`);
    return line.result.message.usage;
  });
}

const questions = (context: string, count: number, ttl?: Ttl) =>
  Array.from({ length: count }, (_, i) => cachedParams(context, `question ${i}?`, ttl));

const written = (u: Usage) => u.cache_creation_input_tokens ?? 0;
const read = (u: Usage) => u.cache_read_input_tokens ?? 0;

describe('the simulator’s batch prompt cache, through the real SDK', () => {
  it('has every request of a cold batch write the shared prefix and none read it', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    const usages = await runBatch(rig, questions('cold', 5));
    const prefixTokens = written(usages[0]!);
    expect(prefixTokens).toBeGreaterThan(0);
    for (const usage of usages) {
      expect(usage).toMatchObject({
        cache_creation_input_tokens: prefixTokens,
        cache_read_input_tokens: 0,
        cache_creation: { ephemeral_5m_input_tokens: prefixTokens, ephemeral_1h_input_tokens: 0 },
      });
    }
  });

  it('has every request of a batch sent after the writing batch ended read the prefix', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    const [first] = await runBatch(rig, questions('warm', 1));
    const usages = await runBatch(rig, questions('warm', 5));
    for (const usage of usages) {
      expect(usage).toMatchObject({
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: written(first!),
        cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
        input_tokens: first!.input_tokens,
      });
    }
  });

  it('does not let a batch read what a batch still in progress when it began will write', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    const early = await rig.sdk.messages.batches.create({
      requests: [{ custom_id: 'early', params: cachedParams('overlap', 'first?') }],
    });
    rig.clock.advance(LATENCY_MS / 2);
    const usages = await runBatch(rig, questions('overlap', 2));
    expect((await rig.sdk.messages.batches.retrieve(early.id)).processing_status).toBe('ended');
    expect(usages.map(read)).toEqual([0, 0]);
    expect(usages.every((u) => written(u) > 0)).toBe(true);
  });

  it('writes the prefix again once its 5-minute lifetime has passed unread', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    await runBatch(rig, questions('lapse', 1));
    rig.clock.advance(5 * MINUTE_MS);
    const [usage] = await runBatch(rig, questions('lapse', 1));
    expect(read(usage!)).toBe(0);
    expect(usage!.cache_creation?.ephemeral_5m_input_tokens).toBeGreaterThan(0);
  });

  it('keeps a 1-hour entry for 30 minutes, where a 5-minute one has lapsed', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    await runBatch(rig, [cachedParams('long', 'a?', '1h'), cachedParams('short', 'a?')]);
    rig.clock.advance(30 * MINUTE_MS);
    const [long, short] = await runBatch(rig, [
      cachedParams('long', 'b?', '1h'),
      cachedParams('short', 'b?'),
    ]);
    expect(read(long!)).toBeGreaterThan(0);
    expect(written(long!)).toBe(0);
    expect(read(short!)).toBe(0);
    expect(short!.cache_creation?.ephemeral_5m_input_tokens).toBeGreaterThan(0);
  });

  it('refreshes an entry’s lifetime each time a request reads it', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    await runBatch(rig, questions('refresh', 1));
    rig.clock.advance(4 * MINUTE_MS);
    const [second] = await runBatch(rig, questions('refresh', 1));
    // 8 minutes after the write: lapsed unless the read at minute 4 renewed it.
    rig.clock.advance(4 * MINUTE_MS);
    const [third] = await runBatch(rig, questions('refresh', 1));
    expect(read(second!)).toBeGreaterThan(0);
    expect(read(third!)).toBe(read(second!));
    expect(written(third!)).toBe(0);
  });

  it('keeps different prefixes apart: one written earlier is read, a new one is written', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    await runBatch(rig, questions('alpha', 1));
    const [alpha, beta] = await runBatch(rig, [
      cachedParams('alpha', 'again?'),
      cachedParams('beta', 'first?'),
    ]);
    expect(read(alpha!)).toBeGreaterThan(0);
    expect(written(alpha!)).toBe(0);
    expect(read(beta!)).toBe(0);
    expect(written(beta!)).toBeGreaterThan(0);
  });

  it('keeps the same text for different models apart', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    await runBatch(rig, questions('model', 1));
    const [other] = await runBatch(rig, [
      { ...cachedParams('model', 'again?'), model: 'claude-haiku-5-5' },
    ]);
    expect(read(other!)).toBe(0);
  });

  it('lets a 1-hour request read a prefix written for 5 minutes, then keeps it for the hour', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    await runBatch(rig, questions('mixed', 1));
    const [upgrade] = await runBatch(rig, questions('mixed', 1, '1h'));
    expect(read(upgrade!)).toBeGreaterThan(0);
    expect(written(upgrade!)).toBe(0);
    rig.clock.advance(50 * MINUTE_MS);
    const [later] = await runBatch(rig, questions('mixed', 1));
    expect(read(later!)).toBe(read(upgrade!));
  });

  it('reads the longest cached prefix of a prompt and writes only the part after it', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    // Two breakpoints: the shared system prompt, then a document of the request's own.
    const withDocument = (document: string) => ({
      ...cachedParams('layers', 'unused'),
      messages: [
        {
          role: 'user' as const,
          content: [
            {
              type: 'text' as const,
              text: document.repeat(100),
              cache_control: { type: 'ephemeral' as const },
            },
            { type: 'text' as const, text: 'What does it say?' },
          ],
        },
      ],
    });
    const [system] = await runBatch(rig, questions('layers', 1));
    const systemTokens = written(system!);
    const [first] = await runBatch(rig, [withDocument('first document. ')]);
    expect(read(first!)).toBe(systemTokens);
    expect(written(first!)).toBeGreaterThan(0);
    const [again, other] = await runBatch(rig, [
      withDocument('first document. '),
      withDocument('second document. '),
    ]);
    expect(read(again!)).toBe(systemTokens + written(first!));
    expect(written(again!)).toBe(0);
    expect(read(other!)).toBe(systemTokens);
    expect(written(other!)).toBeGreaterThan(0);
  });

  it('writes nothing for a request that did not run: a canceled batch leaves the cache cold', async () => {
    const rig = await startRig({ latencyMs: LATENCY_MS });
    const canceled = await rig.sdk.messages.batches.create({
      requests: [{ custom_id: 'c', params: cachedParams('canceled', 'never?') }],
    });
    await rig.sdk.messages.batches.cancel(canceled.id);
    rig.clock.advance(LATENCY_MS);
    expect((await rig.sdk.messages.batches.retrieve(canceled.id)).request_counts.canceled).toBe(1);
    const [usage] = await runBatch(rig, questions('canceled', 1));
    expect(read(usage!)).toBe(0);
    expect(written(usage!)).toBeGreaterThan(0);
  });
});
