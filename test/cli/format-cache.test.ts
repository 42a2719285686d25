import { describe, expect, it } from 'vitest';
import { formatCacheReport } from '../../src/cli/format-cache.js';

describe('the cache line of batchkeeper status', () => {
  it('gives the hit rate, the tokens read and written and the saving', () => {
    expect(
      formatCacheReport({
        readTokens: 4_946_000,
        writeTokens: { fiveMinutes: 0, oneHour: 5_000 },
        hitRate: 0.9989,
        savedUsd: 12.3412,
      }),
    ).toBe('99.9% hit · 4.9M read · 5.0k written · saved $12.34');
  });

  it('shows a saving under a dollar to four decimals', () => {
    expect(
      formatCacheReport({
        readTokens: 190,
        writeTokens: { fiveMinutes: 120, oneHour: 0 },
        hitRate: 0.6129,
        savedUsd: 0.000219,
      }),
    ).toBe('61.3% hit · 190 read · 120 written · saved $0.0002');
  });

  it('says when the saving is unknown', () => {
    expect(
      formatCacheReport({
        readTokens: 10,
        writeTokens: { fiveMinutes: 0, oneHour: 0 },
        hitRate: 1,
        savedUsd: null,
      }),
    ).toBe('100.0% hit · 10 read · 0 written · saving unknown');
  });

  it('is left out for a job that did not use the cache, or a server that does not report it', () => {
    const unused = {
      readTokens: 0,
      writeTokens: { fiveMinutes: 0, oneHour: 0 },
      hitRate: null,
      savedUsd: 0,
    };
    expect(formatCacheReport(unused)).toBeNull();
    expect(formatCacheReport(undefined)).toBeNull();
  });
});
