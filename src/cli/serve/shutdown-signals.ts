const SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** 128 + the signal's number, as shells report a process ended by it. */
const EXIT_CODES: Record<(typeof SIGNALS)[number], number> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Calls `shutdown` on the first SIGTERM or SIGINT; a second signal while it
 * runs ends the process at once.
 */
export function onShutdownSignal(
  shutdown: (signal: string) => Promise<void>,
  onSecondSignal: (signal: string) => void = () => {},
): void {
  let shuttingDown = false;
  for (const signal of SIGNALS) {
    process.on(signal, () => {
      if (shuttingDown) {
        onSecondSignal(signal);
        process.exit(EXIT_CODES[signal]);
      }
      shuttingDown = true;
      void shutdown(signal);
    });
  }
}
