/**
 * Where the worker and its drivers report what they do: `info` for what is expected (a
 * takeover, an adopted batch), `warn` for what they recover from by themselves (a step
 * backing off, a lost lease), `error` for a failure nobody waits for (a crashed step, a
 * failed scheduler round or lease renewal). The manager turns `error` into its `error` event.
 */
export type WorkerLog = (
  message: string,
  fields?: Record<string, unknown>,
  level?: 'info' | 'warn' | 'error',
) => void;
