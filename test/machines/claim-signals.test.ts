import { describe, expect, it } from 'vitest';
import { ClaimSignals } from '../../src/machines/claim-signals.js';

describe('ClaimSignals: when a claim can find work', () => {
  it('claims on every poll, drained or not', () => {
    const signals = new ClaimSignals();
    signals.drained(signals.begin().signals);
    expect(signals.worthClaiming(false)).toBe(true);
  });

  it('skips a woken claim after the queue was found empty, until a sign of work arrives', () => {
    const signals = new ClaimSignals();
    expect(signals.worthClaiming(true)).toBe(true);
    signals.drained(signals.begin().signals);
    expect(signals.worthClaiming(true)).toBe(false);
    signals.seen();
    expect(signals.worthClaiming(true)).toBe(true);
  });

  it('a sign that arrives during a claim is not swallowed by its drained answer', () => {
    const signals = new ClaimSignals();
    const { signals: answered } = signals.begin();
    signals.seen();
    signals.drained(answered);
    expect(signals.worthClaiming(true)).toBe(true);
  });

  it('promises each free slot once, and a woken claim takes the promised jobs', () => {
    const signals = new ClaimSignals();
    signals.drained(signals.begin().signals);
    expect([signals.promise(2), signals.promise(2), signals.promise(2)]).toEqual([
      true,
      true,
      false,
    ]);
    expect(signals.worthClaiming(true)).toBe(true);
    expect(signals.begin().promised).toBe(2);
    expect(signals.begin().promised).toBe(0);
    expect(signals.promise(1)).toBe(true);
  });
});
