import type { RelayLogger } from '../webhooks/index.js';
import type { Report } from './report.js';

/** The relay's failures into the manager's `log` (they vanished into a silent logger before). */
export function relayLoggerFrom(log: Report): RelayLogger {
  const at = (level: 'info' | 'warn' | 'error') => (fields: unknown, message?: string) =>
    log(
      level,
      message ?? '',
      fields && typeof fields === 'object' ? (fields as Record<string, unknown>) : {},
    );
  return { debug: () => {}, warn: at('warn'), error: at('error') } as unknown as RelayLogger;
}
