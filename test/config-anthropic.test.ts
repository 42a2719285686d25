import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, managerEnvironment } from '../src/config.js';
import { SHIPPED_PRICE_TABLE } from '../src/domain/pricing.js';

const dir = mkdtempSync(join(tmpdir(), 'prices-'));
function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function issuesOf(env: NodeJS.ProcessEnv) {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('BATCHKEEPER_ANTHROPIC_VERSION', () => {
  it('is 2026-10-21 unless set', () => {
    expect(loadConfig({}).manager.anthropicVersion).toBe('2026-10-21');
    expect(
      loadConfig({ BATCHKEEPER_ANTHROPIC_VERSION: '2023-06-01' }).manager.anthropicVersion,
    ).toBe('2023-06-01');
  });

  it('refuses a version batchkeeper does not know, naming the variable', () => {
    expect(issuesOf({ BATCHKEEPER_ANTHROPIC_VERSION: '2025-01-01' })).toEqual([
      {
        variable: 'BATCHKEEPER_ANTHROPIC_VERSION',
        message: 'must be one of 2023-06-01, 2026-10-21',
      },
    ]);
  });

  it('is read for a library manager too', () => {
    expect(
      managerEnvironment({ BATCHKEEPER_ANTHROPIC_VERSION: '2023-06-01' }).anthropicVersion,
    ).toBe('2023-06-01');
    expect(() => managerEnvironment({ BATCHKEEPER_ANTHROPIC_VERSION: 'latest' })).toThrow(
      /BATCHKEEPER_ANTHROPIC_VERSION must be one of/,
    );
  });
});

describe('BATCHKEEPER_PRICES_FILE', () => {
  it('replaces the shipped price table with the file it names', () => {
    const table = { ...SHIPPED_PRICE_TABLE, takenOn: '2027-01-01', batchDiscount: 0.4 };
    const path = file('prices.json', JSON.stringify(table));
    expect(loadConfig({ BATCHKEEPER_PRICES_FILE: path }).manager.priceTable).toMatchObject({
      takenOn: '2027-01-01',
      batchDiscount: 0.4,
    });
    expect(loadConfig({}).manager.priceTable).toBeUndefined();
  });

  it('refuses a file that is not a price table, naming the variable and the field', () => {
    const path = file('bad.json', JSON.stringify({ ...SHIPPED_PRICE_TABLE, takenOn: 'November' }));
    const [issue] = issuesOf({ BATCHKEEPER_PRICES_FILE: path });
    expect(issue).toEqual({
      variable: 'BATCHKEEPER_PRICES_FILE',
      message: `${path}: takenOn: takenOn must be YYYY-MM-DD`,
    });
    expect(issuesOf({ BATCHKEEPER_PRICES_FILE: join(dir, 'missing.json') })[0]!.message).toMatch(
      /^cannot read a JSON price table from/,
    );
  });
});
