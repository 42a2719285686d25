import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/domain/canonical-json.js';
import { fingerprintParams } from '../../src/domain/fingerprint.js';
import { type JobConfig, parseJobConfig } from '../../src/domain/job-config.schema.js';
import { configHashMatches, hashJobConfig } from '../../src/domain/job-config-hash.js';

const params = (text: string) => ({
  model: 'claude-sonnet-4-5',
  max_tokens: 64,
  messages: [{ role: 'user', content: text }],
});
const config = (overrides: Record<string, unknown> = {}): JobConfig =>
  parseJobConfig({
    requests: [
      { custom_id: 'a', params: params('first') },
      { custom_id: 'b', params: params('second') },
    ],
    tags: ['nightly'],
    ...overrides,
  });
const hashOf = (c: JobConfig) =>
  hashJobConfig(
    c,
    c.requests.map((r) => fingerprintParams(r.params)),
  );

describe('the job config hash an Idempotency-Key is checked against', () => {
  it('is the same for the same job, whatever the key order of its params', () => {
    const reordered = config({
      requests: [
        {
          params: {
            messages: [{ content: 'first', role: 'user' }],
            max_tokens: 64,
            model: 'claude-sonnet-4-5',
          },
          custom_id: 'a',
        },
        { custom_id: 'b', params: params('second') },
      ],
    });
    expect(hashOf(reordered)).toBe(hashOf(config()));
  });

  it('leaves the Idempotency-Key itself out', () => {
    expect(hashOf(config({ idempotencyKey: 'k-1' }))).toBe(hashOf(config()));
  });

  it('changes with a custom_id, a request, their order, or an option', () => {
    const base = hashOf(config());
    const variants = [
      config({
        requests: [
          { custom_id: 'a', params: params('first') },
          { custom_id: 'c', params: params('second') },
        ],
      }),
      config({
        requests: [
          { custom_id: 'a', params: params('first') },
          { custom_id: 'b', params: params('other') },
        ],
      }),
      config({
        requests: [
          { custom_id: 'b', params: params('second') },
          { custom_id: 'a', params: params('first') },
        ],
      }),
      config({ tags: ['weekly'] }),
      config({ priority: 1 }),
    ];
    for (const variant of variants) expect(hashOf(variant)).not.toBe(base);
  });

  it('matches a hash stored before it existed (the canonical JSON of the whole config)', () => {
    const { idempotencyKey: _key, ...rest } = config();
    const stored = createHash('sha256').update(canonicalJson(rest)).digest('hex');
    const c = config();
    const fingerprints = c.requests.map((r) => fingerprintParams(r.params));
    expect(configHashMatches(stored, c, fingerprints)).toBe(true);
    expect(configHashMatches(stored, config({ tags: ['weekly'] }), fingerprints)).toBe(false);
  });

  it('matches its own hash and no other', () => {
    const c = config();
    const fingerprints = c.requests.map((r) => fingerprintParams(r.params));
    expect(configHashMatches(hashOf(c), c, fingerprints)).toBe(true);
    expect(configHashMatches(hashOf(config({ priority: 1 })), c, fingerprints)).toBe(false);
  });
});
