import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { describeError } from '../api/api-error.js';

export interface Polled<T> {
  /** The last value read; kept while a new read runs, so nothing jumps. */
  data: T | undefined;
  /** The last read's failure, cleared by the next success. */
  error: string | null;
  /** Reads again now. */
  reload: () => void;
}

/**
 * Reads `load()` now, whenever `key` changes, and every `intervalMs` (0: never again) while the
 * tab is visible.
 */
export function usePolled<T>(
  load: (signal: AbortSignal) => Promise<T>,
  key: string,
  intervalMs: number,
): Polled<T> {
  const [data, setData] = useState<T | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  const reload = useCallback(() => setTick((n) => n + 1), []);

  useEffect(() => {
    const controller = new AbortController();
    loadRef
      .current(controller.signal)
      .then((value) => {
        if (controller.signal.aborted) return;
        setData(value);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (!controller.signal.aborted) setError(describeError(failure));
      });
    return () => controller.abort();
  }, [key, tick]);

  useEffect(() => {
    if (intervalMs <= 0) return;
    const timer = setInterval(() => {
      if (document.visibilityState === 'visible') reload();
    }, intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs, reload, key]);

  return { data, error, reload };
}
