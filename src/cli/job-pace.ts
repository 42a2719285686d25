import { formatDuration } from './time-format.js';

/** Where a watched job stands in time, for its progress line. */
export interface PaceView {
  /** Since the job started (or, not known, since watching began), paused time included. */
  elapsedMs: number;
  /** Of which the job spent paused while watched. */
  pausedMs: number;
  paused: boolean;
  /** Time left at the pace seen so far; undefined while paused or before anything moved. */
  etaMs: number | undefined;
}

/**
 * Keeps a watched job's pace from what its event stream shows: how many requests are done when,
 * and when it is paused. Paused time is kept apart: it counts toward neither the pace nor the ETA.
 * Times are milliseconds passed in by the caller; nothing here reads a clock.
 */
export class JobPace {
  readonly #startedAt: number;
  #pausedMs = 0;
  #pausedSince: number | undefined;
  #first: { activeMs: number; done: number } | undefined;

  /** `startedAt`: when the job started processing, or when watching began if it has not. */
  constructor(startedAt: number) {
    this.#startedAt = startedAt;
  }

  /** Records the job as an update shows it at `at`. */
  observe(at: number, status: string, done: number): void {
    if (status === 'paused') this.#pausedSince ??= at;
    else if (this.#pausedSince !== undefined) {
      this.#pausedMs += at - this.#pausedSince;
      this.#pausedSince = undefined;
    }
    this.#first ??= { activeMs: this.#activeMs(at), done };
  }

  view(at: number, done: number, total: number): PaceView {
    const paused = this.#pausedSince !== undefined;
    const pausedMs = this.#pausedMs + (paused ? at - this.#pausedSince! : 0);
    return {
      elapsedMs: Math.max(0, at - this.#startedAt),
      pausedMs,
      paused,
      etaMs: paused ? undefined : this.#eta(at, done, total),
    };
  }

  /** Time since the start that the job was not paused. */
  #activeMs(at: number): number {
    const pausedNow = this.#pausedSince === undefined ? 0 : at - this.#pausedSince;
    return Math.max(0, at - this.#startedAt - this.#pausedMs - pausedNow);
  }

  #eta(at: number, done: number, total: number): number | undefined {
    if (done >= total) return 0;
    const active = this.#activeMs(at);
    const first = this.#first;
    // The pace since watching began; before anything moved, the job's pace since it started.
    const [moved, over] =
      first && done > first.done ? [done - first.done, active - first.activeMs] : [done, active];
    if (moved <= 0 || over <= 0) return undefined;
    return ((total - done) * over) / moved;
  }
}

/** `elapsed 1m05s, ETA 30s`; `elapsed 2m00s (40s paused), paused`. */
export function paceText(view: PaceView): string {
  const paused = view.pausedMs >= 1000 ? ` (${formatDuration(view.pausedMs)} paused)` : '';
  const eta = view.paused
    ? 'paused'
    : view.etaMs === undefined
      ? 'ETA estimating'
      : `ETA ${formatDuration(view.etaMs)}`;
  return `elapsed ${formatDuration(view.elapsedMs)}${paused}, ${eta}`;
}
