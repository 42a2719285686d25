import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/observability/logger.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ destination: { write: (line: string) => lines.push(line) } });
  return { logger, lines };
}

describe('the logger', () => {
  it('writes one JSON object a line with the level as a word', () => {
    const { logger, lines } = capture();
    logger.info({ jobId: 'j_1' }, 'queued');
    expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'info', jobId: 'j_1', msg: 'queued' });
  });

  it.each([
    ['an authorization header', { req: { headers: { authorization: 'Bearer s3cr3t' } } }],
    ['an x-api-key header', { headers: { 'x-api-key': 's3cr3t' } }],
    ['a top-level x-api-key', { 'x-api-key': 's3cr3t' }],
    ['an apiKey', { anthropic: { apiKey: 's3cr3t' } }],
    ['a webhookSecret', { job: { webhookSecret: 'whsec_s3cr3t' } }],
    ['a secret', { secret: 's3cr3t' }],
    ['a password', { db: { password: 's3cr3t' } }],
    ['configured API keys', { config: { apiKeys: [{ tenant: 'a', key: 's3cr3t' }] } }],
  ])('redacts %s', (_name, fields) => {
    const { logger, lines } = capture();
    logger.info(fields, 'something');
    expect(lines[0]).not.toContain('s3cr3t');
    expect(lines[0]).toContain('[redacted]');
  });

  it('logs nothing below its level', () => {
    const lines: string[] = [];
    const logger = createLogger({
      level: 'warn',
      destination: { write: (line: string) => lines.push(line) },
    });
    logger.info('quiet');
    expect(lines).toEqual([]);
  });
});
