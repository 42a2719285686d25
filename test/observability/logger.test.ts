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

  it.each([
    [
      'in an error it logs',
      { err: Object.assign(new Error('refused'), { headers: { 'x-api-key': 's3cr3t' } }) },
    ],
    [
      'in an error logged as `error`',
      { error: Object.assign(new Error('x'), { config: { password: 's3cr3t' } }) },
    ],
    ['in a header whatever its case', { req: { headers: { Authorization: 'Bearer s3cr3t' } } }],
    [
      'in the options of a subscription',
      { subscription: { url: 'https://x', secret: 'whsec_s3cr3t' } },
    ],
  ])('redacts a secret %s', (_name, fields) => {
    const { logger, lines } = capture();
    logger.warn(fields, 'something');
    expect(lines[0]).not.toContain('s3cr3t');
    expect(lines[0]).toContain('[redacted]');
  });

  it('keeps the rest of an error: its type, message and stack', () => {
    const { logger, lines } = capture();
    logger.error({ err: new TypeError('no such job') }, 'failed');
    expect(JSON.parse(lines[0]!).err).toMatchObject({
      type: 'TypeError',
      message: 'no such job',
      stack: expect.stringContaining('TypeError: no such job'),
    });
  });

  it('writes a line of ids and counts as given, secrets being only where they can be', () => {
    const { logger, lines } = capture();
    const fields = { jobId: 'job_1', batchId: 'msgbatch_1', attempt: 2, status: 'queued' };
    logger.info(fields, 'took over a job whose lease lapsed');
    expect(JSON.parse(lines[0]!)).toMatchObject({
      ...fields,
      msg: 'took over a job whose lease lapsed',
    });
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
