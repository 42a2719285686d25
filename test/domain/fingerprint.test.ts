import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.js';
import { ValidationError } from '../../src/domain/errors.js';
import { fingerprintParams } from '../../src/domain/fingerprint.js';
import type { MessageParams } from '../../src/domain/request.schema.js';

const params: MessageParams = {
  model: 'claude-sonnet-5',
  max_tokens: 256,
  temperature: 0.2,
  messages: [{ role: 'user', content: 'Summarise the report.' }],
  metadata: { user_id: 'u-1' },
};

const paramsArb: fc.Arbitrary<MessageParams> = fc.record(
  {
    model: fc.string({ minLength: 1 }),
    max_tokens: fc.integer({ min: 1, max: 100_000 }),
    messages: fc.array(
      fc.record({
        role: fc.constantFrom('user' as const, 'assistant' as const),
        content: fc.string({ minLength: 1 }),
      }),
      { minLength: 1, maxLength: 4 },
    ),
    system: fc.string(),
    temperature: fc.double({ min: 0, max: 1, noNaN: true }),
    top_k: fc.nat(),
    stop_sequences: fc.array(fc.string()),
    extra: fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
  },
  { requiredKeys: ['model', 'max_tokens', 'messages'] },
);

/** The same object with its top-level keys reversed and every message's keys reversed. */
function reorder(value: MessageParams): MessageParams {
  const reversed = Object.fromEntries(Object.entries(value).reverse()) as MessageParams;
  reversed.messages = value.messages.map(
    (message) => Object.fromEntries(Object.entries(message).reverse()) as typeof message,
  );
  return reversed;
}

describe('fingerprintParams', () => {
  it('is a 64-character lower-case hex SHA-256', () => {
    expect(fingerprintParams(params)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('keeps the fingerprint of a known request stable, since stored fingerprints rely on it', () => {
    // sha256 of {"max_tokens":1,"messages":[{"content":"x","role":"user"}],"model":"m"}
    expect(
      fingerprintParams({ model: 'm', max_tokens: 1, messages: [{ role: 'user', content: 'x' }] }),
    ).toBe('99f1237be0d51b7f8e7c98c1e5e3ca778393c2ef45ce9027dc0749f55f2713e2');
  });

  it('does not change with the key order', () => {
    fc.assert(
      fc.property(paramsArb, (value) => {
        expect(fingerprintParams(reorder(value))).toBe(fingerprintParams(value));
      }),
    );
  });

  it('changes when any one field changes', () => {
    fc.assert(
      fc.property(paramsArb, fc.nat(), fc.jsonValue(), (value, pick, replacement) => {
        const keys = Object.keys(value).filter((key) => value[key] !== undefined);
        const key = keys[pick % keys.length]!;
        fc.pre(canonicalJson(replacement) !== canonicalJson(value[key]));
        const changed = { ...value, [key]: replacement } as MessageParams;
        expect(fingerprintParams(changed)).not.toBe(fingerprintParams(value));
      }),
    );
  });

  it('changes when a message changes', () => {
    const other = {
      ...params,
      messages: [{ role: 'user' as const, content: 'Summarise the memo.' }],
    };
    expect(fingerprintParams(other)).not.toBe(fingerprintParams(params));
  });

  it('does not count undefined properties', () => {
    expect(fingerprintParams({ ...params, top_p: undefined })).toBe(fingerprintParams(params));
  });

  it('refuses params holding a non-JSON value', () => {
    expect(() => fingerprintParams({ ...params, temperature: Number.NaN })).toThrow(
      ValidationError,
    );
  });
});
