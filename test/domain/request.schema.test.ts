import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  CUSTOM_ID_PATTERN,
  MessageParamsSchema,
  RequestItemSchema,
} from '../../src/domain/request.schema.js';

const params = {
  model: 'claude-haiku-5-5',
  max_tokens: 1024,
  messages: [{ role: 'user', content: 'Hello' }],
};

/** The dotted paths and messages of the issues a bad input raises. */
function issuesOf(input: unknown): [string, string][] {
  const result = MessageParamsSchema.safeParse(input);
  if (result.success) throw new Error('expected the params to be refused');
  return result.error.issues.map((issue) => [issue.path.join('.'), issue.message]);
}

function pathsOf(input: unknown): string[] {
  return issuesOf(input).map(([path]) => path);
}

describe('MessageParamsSchema', () => {
  it('accepts a minimal request', () => {
    expect(MessageParamsSchema.parse(params)).toEqual(params);
  });

  it('accepts a full request with content blocks, a system prompt as blocks and tools', () => {
    const full = {
      ...params,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image', source: { type: 'base64', media_type: 'image/png', data: 'AAAA' } },
          ],
        },
        { role: 'assistant', content: 'A cat.' },
        { role: 'user', content: 'Thanks' },
      ],
      stream: false,
      temperature: 0.5,
      top_p: 0.9,
      top_k: 40,
      stop_sequences: ['END'],
      metadata: { user_id: 'u-1' },
      tools: [{ name: 'lookup', input_schema: { type: 'object' } }],
      tool_choice: { type: 'auto' },
      thinking: { type: 'enabled', budget_tokens: 2048 },
    };
    expect(MessageParamsSchema.parse(full)).toEqual(full);
  });

  it('keeps Messages fields it does not know', () => {
    const withNewField = { ...params, service_tier: 'auto', output_config: { effort: 'low' } };
    expect(MessageParamsSchema.parse(withNewField)).toEqual(withNewField);
  });

  it('requires a non-empty model', () => {
    expect(pathsOf({ ...params, model: '' })).toEqual(['model']);
    expect(pathsOf({ max_tokens: 1, messages: params.messages })).toEqual(['model']);
  });

  it('requires max_tokens to be an integer of at least 1', () => {
    for (const max_tokens of [0, -1, 1.5, '10', undefined]) {
      expect(pathsOf({ ...params, max_tokens })).toEqual(['max_tokens']);
    }
  });

  it('requires at least one message', () => {
    expect(pathsOf({ ...params, messages: [] })).toEqual(['messages']);
  });

  it('requires each message role to be user, assistant or system', () => {
    expect(issuesOf({ ...params, messages: [{ role: 'tool', content: 'x' }] })).toEqual([
      ['messages.0.role', 'role must be user, assistant or system'],
    ]);
  });

  it('accepts a mid-conversation system message (which models take it, and where, are API rules)', () => {
    const messages = [
      { role: 'user', content: 'Hi' },
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
    ];
    expect(MessageParamsSchema.safeParse({ ...params, messages }).success).toBe(true);
  });

  it('refuses empty content, as a string or as a list of blocks', () => {
    expect(pathsOf({ ...params, messages: [{ role: 'user', content: '' }] })).toEqual([
      'messages.0.content',
    ]);
    expect(pathsOf({ ...params, messages: [{ role: 'user', content: [] }] })).toEqual([
      'messages.0.content',
    ]);
  });

  it('refuses a content block without a string type', () => {
    expect(pathsOf({ ...params, messages: [{ role: 'user', content: [{ text: 'x' }] }] })).toEqual([
      'messages.0.content',
    ]);
  });

  it('refuses stream: true, saying a batch cannot stream', () => {
    expect(issuesOf({ ...params, stream: true })).toEqual([
      ['stream', 'stream must be false or absent: a Message Batch request cannot stream'],
    ]);
  });

  it('refuses a system prompt that is neither a string nor text blocks', () => {
    expect(pathsOf({ ...params, system: [{ type: 'image' }] })).toEqual(['system']);
    expect(pathsOf({ ...params, system: 7 })).toEqual(['system']);
  });

  it('keeps temperature within 0..1', () => {
    expect(MessageParamsSchema.safeParse({ ...params, temperature: 0 }).success).toBe(true);
    expect(MessageParamsSchema.safeParse({ ...params, temperature: 1 }).success).toBe(true);
    expect(pathsOf({ ...params, temperature: 1.01 })).toEqual(['temperature']);
    expect(pathsOf({ ...params, temperature: -0.1 })).toEqual(['temperature']);
  });

  it('refuses a non-object', () => {
    expect(MessageParamsSchema.safeParse('hello').success).toBe(false);
  });
});

describe('RequestItemSchema', () => {
  it('accepts a custom_id and params', () => {
    expect(RequestItemSchema.parse({ custom_id: 'req-1', params })).toEqual({
      custom_id: 'req-1',
      params,
    });
  });

  it('refuses keys beside custom_id and params', () => {
    expect(RequestItemSchema.safeParse({ custom_id: 'req-1', params, param: {} }).success).toBe(
      false,
    );
  });

  it('refuses a custom_id that is empty, too long or has other characters', () => {
    for (const custom_id of ['', 'a'.repeat(65), 'has space', 'dot.ted', 'ünï', 'a/b']) {
      const result = RequestItemSchema.safeParse({ custom_id, params });
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['custom_id']);
    }
  });

  it('accepts every custom_id of 1 to 64 letters, digits, underscores and hyphens', () => {
    const idChar = fc.constantFrom(...'abcXYZ019_-'.split(''));
    fc.assert(
      fc.property(fc.string({ unit: idChar, minLength: 1, maxLength: 64 }), (custom_id) => {
        expect(CUSTOM_ID_PATTERN.test(custom_id)).toBe(true);
        expect(RequestItemSchema.safeParse({ custom_id, params }).success).toBe(true);
      }),
    );
  });

  it('refuses params Postgres cannot store as jsonb, naming the text that holds it', () => {
    const cases: [unknown, string][] = [
      [
        { ...params, messages: [{ role: 'user', content: 'a\u0000b' }] },
        'params.messages.0.content',
      ],
      [{ ...params, model: 'claude\u0000' }, 'params.model'],
      [{ ...params, extra: { 'k\u0000': 1 } }, 'params.extra.k\u0000'],
      [
        { ...params, messages: [{ role: 'user', content: '\ud800x' }] },
        'params.messages.0.content',
      ],
    ];
    for (const [bad, path] of cases) {
      const result = RequestItemSchema.safeParse({ custom_id: 'req-1', params: bad });
      expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual([path]);
    }
  });

  it('refuses params nested deeper than the documented limit', () => {
    const deep = JSON.parse(`${'{"a":'.repeat(10_000)}1${'}'.repeat(10_000)}`) as unknown;
    const result = RequestItemSchema.safeParse({ custom_id: 'req-1', params: { ...params, deep } });
    expect(result.error?.issues[0]?.message).toMatch(/nests deeper than 128 levels/);
  });
});
