import { type DestinationStream, type Logger, pino } from 'pino';
import type { LogLevel } from '../config.js';

const SECRET_KEYS = [
  'authorization',
  'cookie',
  'x-api-key',
  'apiKey',
  'apiKeys',
  'encryptionKey',
  'secret',
  'webhookSecret',
  'password',
] as const;

/** `key` as a redaction path step: dotted when it is an identifier, bracketed otherwise. */
const step = (key: string, first: boolean) =>
  /^[A-Za-z_$][\w$]*$/.test(key) ? `${first ? '' : '.'}${key}` : `["${key}"]`;

/**
 * Field paths whose values never reach a log line: each secret key at the top
 * level and up to three levels down (`req.headers.authorization`).
 */
export const REDACTED_PATHS = SECRET_KEYS.flatMap((key) => [
  step(key, true),
  `*${step(key, false)}`,
  `*.*${step(key, false)}`,
  `*.*.*${step(key, false)}`,
]);

export interface LoggerOptions {
  /** (default: info) */
  level?: LogLevel;
  /** Where JSON lines go (default: standard output). */
  destination?: DestinationStream;
  /** Fields on every line, e.g. `{ instanceId }`. */
  base?: Record<string, unknown>;
}

/** A pino logger writing one JSON object a line, with secrets redacted. */
export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.destination,
  );
}

export type { Logger };
