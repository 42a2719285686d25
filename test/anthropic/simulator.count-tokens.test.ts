import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { collect, startRig } from './simulator-harness.js';

const CONTEXT = 'Context every request shares. '.repeat(30);

const cached = (question: string, ttl?: '1h') => ({
  model: 'claude-sonnet-5-5',
  max_tokens: 32,
  system: [
    {
      type: 'text' as const,
      text: CONTEXT,
      cache_control: { type: 'ephemeral' as const, ...(ttl ? { ttl } : {}) },
    },
  ],
  messages: [{ role: 'user' as const, content: question }],
});

describe('the simulator’s count_tokens and prompt caching, through the real SDK', () => {
  it('counts a prompt’s tokens as the results then report them: input plus cache writes and reads', async () => {
    const { sdk, clock } = await startRig();
    const params = [cached('first?'), cached('second?'), cached('third?', '1h')];
    const counts = await Promise.all(
      params.map(({ max_tokens: _m, ...body }) => sdk.messages.countTokens(body)),
    );
    // A cold batch writes the prefix in every request; the same requests again read it.
    const usagesOf = async () => {
      const batch = await sdk.messages.batches.create({
        requests: params.map((p, i) => ({ custom_id: `c${i}`, params: p })),
      });
      clock.advance(1000);
      const results = await collect(await sdk.messages.batches.results(batch.id));
      return params.map((_, i) => {
        const line = results.find((r) => r.custom_id === `c${i}`)!;
        if (line.result.type !== 'succeeded') throw new Error('expected a success');
        return line.result.message.usage;
      });
    };
    const cold = await usagesOf();
    const warm = await usagesOf();
    [...cold, ...warm].forEach((usage, i) => {
      expect(
        usage.input_tokens +
          (usage.cache_creation_input_tokens ?? 0) +
          (usage.cache_read_input_tokens ?? 0),
      ).toBe(counts[i % params.length]!.input_tokens);
    });
    expect(cold[0]!.cache_creation?.ephemeral_5m_input_tokens).toBeGreaterThan(0);
    expect(cold[1]!.cache_creation?.ephemeral_5m_input_tokens).toBe(
      cold[0]!.cache_creation_input_tokens,
    );
    expect(cold[2]!.cache_creation?.ephemeral_1h_input_tokens).toBe(
      cold[0]!.cache_creation_input_tokens,
    );
    expect(cold.map((u) => u.cache_read_input_tokens)).toEqual([0, 0, 0]);
    expect(warm.map((u) => u.cache_read_input_tokens)).toEqual(
      cold.map((u) => u.cache_creation_input_tokens),
    );
    expect(warm.map((u) => u.cache_creation_input_tokens)).toEqual([0, 0, 0]);
  });

  it('refuses a body with max_tokens, or without messages, with a 400 naming the field', async () => {
    const { sdk } = await startRig();
    const withMax = await sdk.messages
      .countTokens({ ...cached('x'), max_tokens: 5 } as never)
      .catch((e: unknown) => e);
    expect(withMax).toBeInstanceOf(Anthropic.BadRequestError);
    expect((withMax as Error).message).toMatch(/max_tokens/);
    const noMessages = await sdk.messages
      .countTokens({ model: 'claude-sonnet-5-5' } as never)
      .catch((e: unknown) => e);
    expect((noMessages as Error).message).toMatch(/messages: Field required/);
  });
});
