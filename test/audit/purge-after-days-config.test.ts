import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.js';

describe('BATCHKEEPER_PURGE_AFTER_DAYS', () => {
  it('keeps payloads for ever when unset or blank', () => {
    expect(loadConfig({}).purgeAfterDays).toBeUndefined();
    expect(loadConfig({ BATCHKEEPER_PURGE_AFTER_DAYS: ' ' }).purgeAfterDays).toBeUndefined();
  });

  it('reads a whole number of days', () => {
    expect(loadConfig({ BATCHKEEPER_PURGE_AFTER_DAYS: '90' }).purgeAfterDays).toBe(90);
  });

  it.each(['0', '-3', '1.5', 'ninety'])('refuses %s, naming the variable', (value) => {
    let error: unknown;
    try {
      loadConfig({ BATCHKEEPER_PURGE_AFTER_DAYS: value });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toContain('BATCHKEEPER_PURGE_AFTER_DAYS');
  });
});
