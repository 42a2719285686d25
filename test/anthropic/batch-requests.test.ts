import { describe, expect, it } from 'vitest';
import { completeBatchRequests } from '../../src/anthropic/batch-requests.js';
import { ValidationError } from '../../src/domain/errors.js';

const ask = { messages: [{ role: 'user' as const, content: 'hi' }] };

describe('completeBatchRequests', () => {
  it('fills model, max_tokens, system and metadata where a request leaves them out', () => {
    const [request] = completeBatchRequests([{ custom_id: 'a', params: ask }], {
      model: 'claude-haiku-5-5',
      maxTokens: 64,
      system: 'Be brief.',
      metadata: { user_id: 'u1' },
    });
    expect(request).toEqual({
      custom_id: 'a',
      params: {
        ...ask,
        model: 'claude-haiku-5-5',
        max_tokens: 64,
        system: 'Be brief.',
        metadata: { user_id: 'u1' },
      },
    });
  });

  it('keeps what a request gives over the defaults', () => {
    const [request] = completeBatchRequests(
      [
        {
          custom_id: 'a',
          params: { ...ask, model: 'claude-opus-5-5', max_tokens: 5, system: 'Own.' },
        },
      ],
      { model: 'claude-haiku-5-5', maxTokens: 64, system: 'Default.' },
    );
    expect(request?.params).toMatchObject({
      model: 'claude-opus-5-5',
      max_tokens: 5,
      system: 'Own.',
    });
  });

  it('lists every problem: no model, bad or repeated custom_ids', () => {
    const error = (() => {
      try {
        completeBatchRequests(
          [
            { custom_id: 'a', params: ask },
            { custom_id: 'a', params: ask },
            { custom_id: 'bad id', params: ask },
          ],
          { maxTokens: 10 },
        );
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((issue) => issue.path)).toEqual([
      'requests.0.params.model',
      'requests.1.custom_id',
      'requests.1.params.model',
      'requests.2.custom_id',
      'requests.2.params.model',
    ]);
  });

  it('refuses an empty batch', () => {
    expect(() => completeBatchRequests([], {})).toThrow(ValidationError);
  });
});
