/** How the manager's parts report what they do (the manager routes it to its log and `error` event). */
export type Report = (
  level: 'info' | 'warn' | 'error',
  message: string,
  fields?: Record<string, unknown>,
) => void;
