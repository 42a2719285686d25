import { describe, expect, it } from 'vitest';
import { applyMergePatch } from '../../src/domain/json-merge-patch.js';

describe('applyMergePatch (RFC 7386)', () => {
  it('replaces and adds keys of an object', () => {
    expect(applyMergePatch({ a: 1, b: 2 }, { b: 3, c: 4 })).toEqual({ a: 1, b: 3, c: 4 });
  });

  it('removes a key whose patch value is null', () => {
    expect(applyMergePatch({ a: 1, b: 2 }, { b: null })).toEqual({ a: 1 });
  });

  it('merges nested objects key by key', () => {
    expect(applyMergePatch({ m: { x: 1, y: 2 } }, { m: { y: null, z: 3 } })).toEqual({
      m: { x: 1, z: 3 },
    });
  });

  it('replaces an array whole', () => {
    expect(applyMergePatch({ a: [1, 2] }, { a: [3] })).toEqual({ a: [3] });
  });

  it('replaces the target whole with a patch that is not an object', () => {
    expect(applyMergePatch({ a: 1 }, 'x')).toBe('x');
  });

  it('does not change the target', () => {
    const target = { a: { b: 1 } };
    applyMergePatch(target, { a: { b: 2 } });
    expect(target).toEqual({ a: { b: 1 } });
  });

  it('passes the RFC 7386 appendix examples', () => {
    expect(applyMergePatch({ a: 'b' }, { a: 'c' })).toEqual({ a: 'c' });
    expect(applyMergePatch({ a: [{ b: 'c' }] }, { a: [1] })).toEqual({ a: [1] });
    expect(applyMergePatch(['a', 'b'], ['c', 'd'])).toEqual(['c', 'd']);
    expect(applyMergePatch({ a: 'foo' }, null)).toBe(null);
    expect(applyMergePatch({ e: null }, { a: 1 })).toEqual({ e: null, a: 1 });
    expect(applyMergePatch([1, 2], { a: 'b', c: null })).toEqual({ a: 'b' });
    expect(applyMergePatch({}, { a: { bb: { ccc: null } } })).toEqual({ a: { bb: {} } });
  });
});
