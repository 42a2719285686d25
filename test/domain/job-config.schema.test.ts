import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../src/domain/errors.js';
import {
  JobConfigSchema,
  MAX_JOB_TIMEOUT_MS,
  MAX_METADATA_BYTES,
  MAX_REQUESTS_PER_JOB,
  parseJobConfig,
} from '../../src/domain/job-config.schema.js';

function request(customId: string) {
  return {
    custom_id: customId,
    params: {
      model: 'claude-sonnet-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: `Question ${customId}` }],
    },
  };
}

const requests = [request('a'), request('b')];

/** A valid webhook secret: whsec_ and the base64 of `bytes` bytes. */
function secretOf(bytes: number): string {
  return `whsec_${Buffer.alloc(bytes, 7).toString('base64')}`;
}

function errorOf(input: unknown): ValidationError {
  try {
    parseJobConfig(input);
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('expected the job to be refused');
}

function pathsOf(input: unknown): string[] {
  return errorOf(input).issues.map((issue) => issue.path);
}

describe('parseJobConfig', () => {
  it('refuses what Postgres cannot store in metadata and callbackUrl, for library callers too', () => {
    expect(pathsOf({ requests, metadata: { note: 'a\u0000b' } })).toEqual(['metadata.note']);
    expect(pathsOf({ requests, metadata: { 'k\u0000': 1 } })).toEqual(['metadata.k\u0000']);
    expect(pathsOf({ requests, metadata: { lone: '\ud800x' } })).toEqual(['metadata.lone']);
    expect(pathsOf({ requests, callbackUrl: 'https://example.com/\u0000' })).toEqual([
      'callbackUrl',
    ]);
  });

  it('accepts requests alone and defaults deduplicate to true', () => {
    expect(parseJobConfig({ requests })).toEqual({ requests, deduplicate: true });
  });

  it('accepts every option', () => {
    const config = parseJobConfig({
      requests,
      priority: 'high',
      metadata: { owner: 'search', run: 3, nested: { ok: [true, null] } },
      tags: ['team:search', 'v1.2', 'nightly_run'],
      deduplicate: false,
      timeoutMs: 60_000,
      callbackUrl: 'https://example.com/hooks/batchkeeper',
      webhookSecret: secretOf(32),
      idempotencyKey: 'order 42/retry-1',
    });
    expect(config.priority).toBe(2);
    expect(config.deduplicate).toBe(false);
    expect(config.tags).toEqual(['team:search', 'v1.2', 'nightly_run']);
  });

  it('accepts null for callbackUrl and webhookSecret', () => {
    const config = parseJobConfig({ requests, callbackUrl: null, webhookSecret: null });
    expect(config.callbackUrl).toBeNull();
    expect(config.webhookSecret).toBeNull();
  });

  it('throws a ValidationError that leads with what was wrong and where', () => {
    expect(errorOf({ requests: [] }).message).toBe(
      'invalid job: requests: a job needs at least one request',
    );
  });

  it('refuses input that is not an object', () => {
    expect(pathsOf('requests')).toEqual(['']);
  });

  it('refuses unknown options, so a misspelt one is not dropped', () => {
    expect(errorOf({ requests, priorty: 1 }).message).toMatch(/priorty/);
  });

  it('refuses a job without requests', () => {
    expect(pathsOf({})).toEqual(['requests']);
    expect(pathsOf({ requests: [] })).toEqual(['requests']);
  });

  it('reports a bad request at its dotted path', () => {
    const bad = [
      request('a'),
      { custom_id: 'b', params: { ...request('b').params, max_tokens: 0 } },
    ];
    expect(pathsOf({ requests: bad })).toEqual(['requests.1.params.max_tokens']);
  });

  it('refuses a duplicate custom_id at the path of its second occurrence', () => {
    const list = Array.from({ length: 20 }, (_, i) => request(`r${i}`));
    list[17] = request('r3');
    const error = errorOf({ requests: list });
    expect(error.issues).toEqual([
      {
        path: 'requests.17.custom_id',
        message: 'duplicate custom_id "r3" (already used by requests.3)',
      },
    ]);
  });

  it('reports every repeat of a custom_id', () => {
    expect(pathsOf({ requests: [request('x'), request('x'), request('x')] })).toEqual([
      'requests.1.custom_id',
      'requests.2.custom_id',
    ]);
  });

  it('finds the duplicates among any list of ids', () => {
    fc.assert(
      fc.property(
        fc.array(fc.constantFrom('a', 'b', 'c', 'd', 'e', 'f'), { minLength: 1, maxLength: 30 }),
        (ids) => {
          const expected = ids.flatMap((id, i) =>
            ids.indexOf(id) < i ? [`requests.${i}.custom_id`] : [],
          );
          const result = JobConfigSchema.safeParse({ requests: ids.map(request) });
          expect(result.error?.issues.map((issue) => issue.path.join('.')) ?? []).toEqual(expected);
        },
      ),
    );
  });

  it('refuses more than MAX_REQUESTS_PER_JOB requests before looking at any of them', () => {
    const tooMany = new Array<unknown>(MAX_REQUESTS_PER_JOB + 1).fill({ not: 'a request' });
    expect(errorOf({ requests: tooMany }).issues).toEqual([
      { path: 'requests', message: 'a job may hold at most 1000000 requests' },
    ]);
  });

  it('validates a job of 100,000 requests', () => {
    const many = Array.from({ length: 100_000 }, (_, i) => request(`req-${i}`));
    expect(parseJobConfig({ requests: many }).requests).toHaveLength(100_000);
  });

  it('takes priority as a number or a name', () => {
    expect(parseJobConfig({ requests, priority: 5 }).priority).toBe(5);
    expect(parseJobConfig({ requests, priority: 'CRITICAL' }).priority).toBe(1);
    expect(pathsOf({ requests, priority: 'urgent' })).toEqual(['priority']);
  });

  it('stores metadata in its JSON form, without undefined properties', () => {
    expect(parseJobConfig({ requests, metadata: { b: 1, a: undefined } }).metadata).toEqual({
      b: 1,
    });
  });

  it('refuses metadata that is not a JSON object, naming where', () => {
    expect(pathsOf({ requests, metadata: { when: new Date(0) } })).toEqual(['metadata.when']);
    expect(pathsOf({ requests, metadata: { list: [1, Number.NaN] } })).toEqual(['metadata.list.1']);
    expect(pathsOf({ requests, metadata: ['a'] })).toEqual(['metadata']);
  });

  it('accepts metadata of exactly MAX_METADATA_BYTES and refuses one byte more', () => {
    const overhead = JSON.stringify({ k: '' }).length;
    const fits = { k: 'x'.repeat(MAX_METADATA_BYTES - overhead) };
    const tooBig = { k: 'x'.repeat(MAX_METADATA_BYTES - overhead + 1) };
    expect(parseJobConfig({ requests, metadata: fits }).metadata).toEqual(fits);
    expect(errorOf({ requests, metadata: tooBig }).message).toMatch(
      /metadata: metadata is 65537 bytes/,
    );
  });

  it('counts metadata size in UTF-8 bytes, not characters', () => {
    const overhead = JSON.stringify({ k: '' }).length;
    const chars = Math.floor((MAX_METADATA_BYTES - overhead) / 2) + 1;
    expect(pathsOf({ requests, metadata: { k: 'é'.repeat(chars) } })).toEqual(['metadata']);
  });

  it('accepts up to 50 tags and refuses 51', () => {
    const tags = Array.from({ length: 51 }, (_, i) => `t${i}`);
    expect(parseJobConfig({ requests, tags: tags.slice(0, 50) }).tags).toHaveLength(50);
    expect(pathsOf({ requests, tags })).toEqual(['tags']);
  });

  it('refuses a tag that is empty, too long or has other characters', () => {
    for (const tag of ['', 't'.repeat(65), 'has space', 'a/b', 'a,b']) {
      expect(pathsOf({ requests, tags: ['ok', tag] })).toEqual(['tags.1']);
    }
  });

  it('refuses a deduplicate that is not a boolean', () => {
    expect(pathsOf({ requests, deduplicate: 'no' })).toEqual(['deduplicate']);
  });

  it('accepts timeoutMs up to 7 days and refuses more, zero and fractions', () => {
    expect(parseJobConfig({ requests, timeoutMs: MAX_JOB_TIMEOUT_MS }).timeoutMs).toBe(
      MAX_JOB_TIMEOUT_MS,
    );
    for (const timeoutMs of [MAX_JOB_TIMEOUT_MS + 1, 0, -5, 1.5, '1000']) {
      expect(pathsOf({ requests, timeoutMs })).toEqual(['timeoutMs']);
    }
  });

  it('accepts http and https callback URLs only', () => {
    expect(
      parseJobConfig({ requests, callbackUrl: 'http://hooks.example.com:8080/x?y=1' }).callbackUrl,
    ).toBe('http://hooks.example.com:8080/x?y=1');
    for (const callbackUrl of [
      'ftp://example.com',
      'javascript:alert(1)',
      'example.com/hook',
      '',
      7,
    ]) {
      expect(pathsOf({ requests, callbackUrl })).toEqual(['callbackUrl']);
    }
  });

  it('refuses a callback URL longer than 2048 characters', () => {
    const callbackUrl = `https://example.com/${'a'.repeat(2048)}`;
    expect(pathsOf({ requests, callbackUrl })).toEqual(['callbackUrl']);
  });

  it('accepts a whsec_ secret of 24 to 64 bytes', () => {
    for (const bytes of [24, 25, 26, 32, 64]) {
      expect(parseJobConfig({ requests, webhookSecret: secretOf(bytes) }).webhookSecret).toBe(
        secretOf(bytes),
      );
    }
  });

  it('refuses a webhook secret that is not whsec_ and padded base64 of 24 to 64 bytes', () => {
    const plain = 'a-long-enough-shared-secret-string';
    const unpadded = secretOf(25).replace(/=+$/, '');
    for (const webhookSecret of [
      plain,
      secretOf(23),
      secretOf(65),
      unpadded,
      'whsec_',
      `whsec_${'!'.repeat(32)}`,
    ]) {
      expect(pathsOf({ requests, webhookSecret })).toEqual(['webhookSecret']);
    }
  });

  it('accepts an idempotency key of 1 to 255 printable ASCII characters', () => {
    expect(
      parseJobConfig({ requests, idempotencyKey: 'k'.repeat(255) }).idempotencyKey,
    ).toHaveLength(255);
    for (const idempotencyKey of ['', 'k'.repeat(256), 'tab\there', 'line\nbreak', 'ключ']) {
      expect(pathsOf({ requests, idempotencyKey })).toEqual(['idempotencyKey']);
    }
  });

  it('reports every bad option at once', () => {
    expect(pathsOf({ requests, priority: 9, tags: 'a', timeoutMs: 0 }).sort()).toEqual([
      'priority',
      'tags',
      'timeoutMs',
    ]);
  });
});
