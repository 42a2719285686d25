import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  findUnstorableJson,
  MAX_JSON_DEPTH,
  unstorableTextProblem,
} from '../../src/domain/storable-json.js';

/** `depth` objects inside each other: `{"a":{"a":...}}`. */
function nested(depth: number): unknown {
  return JSON.parse(`${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`);
}

describe('unstorableTextProblem', () => {
  it('accepts ordinary text, emoji (a surrogate pair) included', () => {
    expect(unstorableTextProblem('héllo 😀 \t\n')).toBeUndefined();
  });

  it('refuses NUL anywhere in the text', () => {
    expect(unstorableTextProblem('a\u0000')).toMatch(/NUL/);
  });

  it('refuses a lone high or low surrogate', () => {
    expect(unstorableTextProblem('\ud800x')).toMatch(/surrogate/);
    expect(unstorableTextProblem('x\udc00')).toMatch(/surrogate/);
    expect(unstorableTextProblem('\ud83d')).toMatch(/surrogate/);
  });
});

describe('findUnstorableJson', () => {
  it('finds nothing in any JSON value made of well-formed, NUL-free text', () => {
    const text = fc.string({ unit: 'grapheme' }).filter((s) => !s.includes('\u0000'));
    const json = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        text,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value')),
        fc.dictionary(text, tie('value')),
      ),
    })).value;
    fc.assert(
      fc.property(json, (value) => {
        expect(findUnstorableJson(value)).toBeUndefined();
      }),
    );
  });

  it('names the path of a NUL in a value', () => {
    expect(findUnstorableJson({ a: [1, { b: 'x\u0000' }] })).toEqual({
      path: ['a', 1, 'b'],
      message: 'must not contain NUL (\\u0000)',
    });
  });

  it('names the path of a NUL in a key', () => {
    expect(findUnstorableJson({ a: { 'k\u0000': 1 } })).toEqual({
      path: ['a', 'k\u0000'],
      message: 'a key must not contain NUL (\\u0000)',
    });
  });

  it('names the path of a lone surrogate', () => {
    expect(findUnstorableJson(['ok', '\ud800x'])?.path).toEqual([1]);
  });

  it(`accepts ${MAX_JSON_DEPTH} levels of nesting and refuses one more`, () => {
    expect(findUnstorableJson(nested(MAX_JSON_DEPTH))).toBeUndefined();
    const found = findUnstorableJson(nested(MAX_JSON_DEPTH + 1));
    expect(found?.message).toBe(`nests deeper than ${MAX_JSON_DEPTH} levels`);
    expect(found?.path).toHaveLength(MAX_JSON_DEPTH);
  });

  it('walks 100,000 levels without overflowing the stack', () => {
    expect(findUnstorableJson(nested(100_000), 200_000)).toBeUndefined();
    expect(findUnstorableJson(nested(100_000))?.message).toMatch(/deeper/);
  });
});
