import { type DestinationStream, type Logger, pino } from 'pino';
import pretty from 'pino-pretty';
import type { LogLevel } from '../config.js';
import { secretSerializers } from './log-secrets.js';

/** How log lines are written: one JSON object a line, or a line for people (pino-pretty). */
export const LOG_FORMATS = ['json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** A LOG_FORMAT that is neither `json` nor `pretty`. */
export class LogFormatError extends Error {
  constructor(value: string) {
    super(`LOG_FORMAT: must be one of ${LOG_FORMATS.join(', ')} (got "${value}")`);
    this.name = 'LogFormatError';
  }
}

/**
 * The format LOG_FORMAT asks for; unset (or blank): `pretty` when standard output is a terminal,
 * else `json`, so that whatever reads a pipe or a file gets JSON.
 * @example logFormatFrom(process.env.LOG_FORMAT, process.stdout.isTTY === true)
 */
export function logFormatFrom(value: string | undefined, isTerminal: boolean): LogFormat {
  const given = value?.trim().toLowerCase();
  if (!given) return isTerminal ? 'pretty' : 'json';
  if (!(LOG_FORMATS as readonly string[]).includes(given)) throw new LogFormatError(value ?? '');
  return given as LogFormat;
}

export interface LoggerOptions {
  /** (default: info) */
  level?: LogLevel;
  /** Where lines go (default: standard output). */
  destination?: DestinationStream;
  /** Fields on every line, e.g. `{ instanceId }`. */
  base?: Record<string, unknown>;
  /** (default: json) */
  format?: LogFormat;
}

/**
 * A pino logger with secrets redacted (SECRET_HOLDING_FIELDS), writing one JSON object a line, or with `format: 'pretty'`
 * a line for people: time, level, `[service]` and message, other fields after it on the line.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination =
    options.format === 'pretty'
      ? pretty({
          // In this thread, written as logged: no worker thread to start, nothing lost at exit.
          sync: true,
          destination: options.destination ?? 1,
          translateTime: 'SYS:HH:MM:ss.l',
          ignore: 'pid,hostname,instanceId,service',
          messageFormat: '{if service}[{service}] {end}{msg}',
          singleLine: true,
        })
      : // Written as logged: a line logged just before process.exit (the last 'stopped') is not
        // left in a buffer that the exit-time flush can lose while an async write is in flight.
        (options.destination ?? pino.destination({ dest: 1, sync: true }));
  return pino(
    {
      level: options.level ?? 'info',
      base: options.base ?? {},
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      serializers: secretSerializers(),
    },
    destination,
  );
}

export type { Logger };
