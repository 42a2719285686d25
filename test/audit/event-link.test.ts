import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.js';
import { chainHash, dataDigest, eventLinkText, sha256Hex } from '../../src/store/event-chain.js';

describe('an event’s link text', () => {
  const fields = {
    streamId: 'job_"quoted"\u2028',
    version: 7,
    type: 'BatchSubmitted',
    dataDigest: dataDigest({ b: [1, { z: null, a: 'é' }], a: 0.1 }),
    metadata: {
      tenant: 'acme',
      instanceId: 'web-1',
      correlationId: undefined,
      nested: { y: 1, x: 2 },
    },
    recordedAt: new Date('2026-03-14T09:26:53.589Z'),
  };

  it('is the canonical JSON of its fields, time in ISO milliseconds', () => {
    expect(eventLinkText(fields)).toBe(
      canonicalJson({ ...fields, recordedAt: '2026-03-14T09:26:53.589Z' }),
    );
    expect(eventLinkText({ ...fields, recordedAt: '2026-03-14T09:26:53.589Z' })).toBe(
      eventLinkText(fields),
    );
  });

  it('digests data as it reads back from jsonb: key order and a Date do not matter', () => {
    expect(dataDigest({ a: 1, b: [true] })).toBe(dataDigest({ b: [true], a: 1 }));
    expect(dataDigest({ at: new Date(0) })).toBe(dataDigest({ at: '1970-01-01T00:00:00.000Z' }));
    expect(dataDigest({ a: 1 })).toBe(sha256Hex('{"a":1}'));
  });

  it('chains: the first link hashes its text alone, the next one its predecessor’s hash too', () => {
    const first = chainHash(null, 'x');
    expect(first).toBe(sha256Hex('x'));
    expect(chainHash(first, 'y')).not.toBe(sha256Hex('y'));
  });
});
