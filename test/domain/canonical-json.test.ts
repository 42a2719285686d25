import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.js';
import { ValidationError } from '../../src/domain/errors.js';

/** Rebuilds every object in `value` with its keys in a shuffled order. */
function shuffleKeys(value: unknown, seed: number): unknown {
  if (Array.isArray(value)) return value.map((item, i) => shuffleKeys(item, seed + i + 1));
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value);
  // A deterministic Fisher-Yates driven by the seed, so a failure replays.
  let state = seed;
  for (let i = entries.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2147483648;
    const j = state % (i + 1);
    [entries[i], entries[j]] = [entries[j]!, entries[i]!];
  }
  return Object.fromEntries(entries.map(([k, v], i) => [k, shuffleKeys(v, seed + i + 7)]));
}

function validationPathOf(run: () => unknown): string | undefined {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error.issues[0]?.path;
    throw error;
  }
  throw new Error('expected a ValidationError');
}

describe('canonicalJson', () => {
  it('sorts object keys at every depth and writes no whitespace', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { f: 1, e: 2 }], c: 'x' } })).toBe(
      '{"a":{"c":"x","d":[3,{"e":2,"f":1}]},"b":1}',
    );
  });

  it('keeps array order', () => {
    expect(canonicalJson([3, 1, 2])).toBe('[3,1,2]');
  });

  it('writes primitives as JSON.stringify does', () => {
    expect(canonicalJson('a"b\n')).toBe('"a\\"b\\n"');
    expect(canonicalJson(-0)).toBe('0');
    expect(canonicalJson(1e21)).toBe('1e+21');
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(false)).toBe('false');
  });

  it('orders keys by UTF-16 code unit', () => {
    expect(canonicalJson({ b: 1, B: 2, é: 3, a: 4, '😀': 5, '\uffff': 6 })).toBe(
      '{"B":2,"a":4,"b":1,"é":3,"😀":5,"\uffff":6}',
    );
  });

  it('leaves out object properties that are undefined', () => {
    expect(canonicalJson({ a: undefined, b: 1 })).toBe('{"b":1}');
  });

  it('accepts objects without a prototype', () => {
    const bare = Object.assign(Object.create(null) as object, { z: 1, y: 2 });
    expect(canonicalJson(bare)).toBe('{"y":2,"z":1}');
  });

  it('accepts the same object reached twice without a cycle', () => {
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: [shared] })).toBe('{"a":{"x":1},"b":[{"x":1}]}');
  });

  it('refuses undefined in an array, naming its index', () => {
    expect(validationPathOf(() => canonicalJson({ list: [1, undefined] }))).toBe('list.1');
  });

  it('refuses a function, a symbol and a bigint wherever they are', () => {
    for (const bad of [() => 1, Symbol('s'), 10n]) {
      expect(validationPathOf(() => canonicalJson({ a: { b: bad } }))).toBe('a.b');
      expect(() => canonicalJson([bad])).toThrow(ValidationError);
    }
  });

  it('refuses NaN and the infinities', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]) {
      expect(() => canonicalJson({ n: bad })).toThrow(/n: .* is not a JSON number/);
    }
  });

  it('refuses a Date, a Map and class instances rather than guessing their JSON', () => {
    class Point {
      x = 1;
    }
    for (const bad of [new Date(0), new Map([[1, 2]]), new Point()]) {
      expect(() => canonicalJson({ v: bad })).toThrow(ValidationError);
    }
  });

  it('refuses a value that contains itself', () => {
    const loop: Record<string, unknown> = { a: 1 };
    loop.self = loop;
    expect(validationPathOf(() => canonicalJson(loop))).toBe('self');
  });

  it('refuses undefined at the top', () => {
    expect(validationPathOf(() => canonicalJson(undefined))).toBe('');
  });

  it('writes a value nested 100,000 levels deep without overflowing the stack', () => {
    const depth = 100_000;
    const deep = JSON.parse(`${'{"a":['.repeat(depth)}1${']}'.repeat(depth)}`) as unknown;
    const text = canonicalJson(deep);
    expect(text.length).toBe(depth * 8 + 1);
    expect(text.startsWith('{"a":[{"a":[')).toBe(true);
  });

  it('names the path of a bad value deep inside', () => {
    expect(validationPathOf(() => canonicalJson({ a: [{ b: [0, { c: Number.NaN }] }] }))).toBe(
      'a.0.b.1.c',
    );
  });

  it('reads back as the same value JSON.parse sees', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
      }),
    );
  });

  it('gives the same text whatever the key order', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.nat(), (value, seed) => {
        expect(canonicalJson(shuffleKeys(value, seed))).toBe(canonicalJson(value));
      }),
    );
  });

  it('is a fixed point: canonicalising its own output changes nothing', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const once = canonicalJson(value);
        expect(canonicalJson(JSON.parse(once))).toBe(once);
      }),
    );
  });
});
