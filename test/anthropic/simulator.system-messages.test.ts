import Anthropic from '@anthropic-ai/sdk';
import { describe, expect, it } from 'vitest';
import { collect, startRig } from './simulator-harness.js';

// Source: https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages
// ("available on Claude Opus 4.8 only. No beta header is required"; placement rules) and
// https://platform.claude.com/docs/en/about-claude/models/whats-new-claude-4-8. The refusal
// text of older models is the one the API is reported to answer.

type Request = Anthropic.Messages.BatchCreateParams.Request;
type Message = Anthropic.Messages.MessageParam;

const ask = (custom_id: string, model: string, messages: Message[]): Request => ({
  custom_id,
  params: { model, max_tokens: 64, messages },
});

const hello: Message = { role: 'user', content: 'Hello, Claude' };
const briefly: Message = { role: 'system', content: [{ type: 'text', text: 'Answer briefly.' }] };

async function outcomes(sdk: Anthropic, advance: () => void, requests: Request[]) {
  const batch = await sdk.messages.batches.create({ requests });
  advance();
  const lines = await collect(await sdk.messages.batches.results(batch.id));
  return new Map(lines.map((line) => [line.custom_id, line.result]));
}

describe('mid-conversation system messages in the simulator, driven by the real SDK', () => {
  it('answers a system message right after a user turn on Claude Opus 4.8, with no beta header', async () => {
    const { sdk, clock } = await startRig({ latencyMs: 10 });
    const results = await outcomes(sdk, () => clock.advance(10), [
      ask('last', 'claude-opus-4-8', [hello, briefly]),
      ask('before-assistant', 'claude-opus-4-8', [
        hello,
        briefly,
        { role: 'assistant', content: 'Sure.' },
        { role: 'user', content: 'Go on' },
      ]),
    ]);
    expect(results.get('last')?.type).toBe('succeeded');
    expect(results.get('before-assistant')?.type).toBe('succeeded');
  });

  it('errors a system message on a model before Opus 4.8 with the API text, under either version', async () => {
    const { sim, sdk, clock } = await startRig({ latencyMs: 10 });
    const older = new Anthropic({
      apiKey: 'test-key',
      baseURL: sim.url,
      maxRetries: 0,
      defaultHeaders: { 'anthropic-version': '2023-06-01' },
    });
    for (const client of [sdk, older]) {
      const results = await outcomes(client, () => clock.advance(10), [
        ask('old', 'claude-opus-4-6', [hello, briefly]),
        ask('plain', 'claude-opus-4-6', [hello]),
      ]);
      expect(results.get('old')).toEqual({
        type: 'errored',
        error: {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: "role 'system' is not supported on this model",
          },
          request_id: expect.any(String),
        },
      });
      expect(results.get('plain')?.type).toBe('succeeded');
    }
  });

  it('errors a misplaced system message, naming where it stands', async () => {
    const { sdk, clock } = await startRig({ latencyMs: 10 });
    const results = await outcomes(sdk, () => clock.advance(10), [
      ask('first', 'claude-opus-4-8', [briefly, hello]),
      ask('after-assistant', 'claude-opus-4-8', [
        hello,
        { role: 'assistant', content: 'Hi!' },
        briefly,
      ]),
      ask('before-user', 'claude-opus-4-8', [hello, briefly, hello]),
    ]);
    const messageOf = (id: string) => {
      const result = results.get(id);
      return result?.type === 'errored' ? result.error.error.message : result?.type;
    };
    expect(messageOf('first')).toBe('messages.0: a system message cannot be the first message');
    expect(messageOf('after-assistant')).toBe(
      'messages.2: a system message must immediately follow a user message or an assistant message that ends in a server tool use',
    );
    expect(messageOf('before-user')).toBe(
      'messages.1: a system message must be the last message or be followed by an assistant message',
    );
  });

  it('lists which models take system messages in GET /v1/models', async () => {
    const { sdk } = await startRig();
    const opus48 = (await sdk.models.retrieve('claude-opus-4-8')) as unknown as Record<
      string,
      unknown
    >;
    const opus46 = (await sdk.models.retrieve('claude-opus-4-6')) as unknown as Record<
      string,
      unknown
    >;
    expect(opus48.mid_conversation_system).toBe(true);
    expect(opus46.mid_conversation_system).toBe(false);
  });
});
