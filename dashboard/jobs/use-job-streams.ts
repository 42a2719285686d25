import { useEffect, useState } from 'preact/hooks';
import { TERMINAL_STATUSES } from '../api/job-status.js';
import { followJobLive } from '../api/job-stream.js';
import type { JobStreamData } from '../api/types.js';

/**
 * A browser opens at most six connections to one HTTP/1.1 host; each stream holds one, so only
 * a few are followed and the list's own refresh covers the rest.
 */
const MAX_STREAMS = 3;

/** Follows the streams of the first few unfinished jobs; what they said last, by job id. */
export function useJobStreams(
  unfinishedIds: readonly string[],
): ReadonlyMap<string, JobStreamData> {
  const [latest, setLatest] = useState<ReadonlyMap<string, JobStreamData>>(new Map());
  const followed = unfinishedIds.slice(0, MAX_STREAMS);
  const key = followed.join(',');

  useEffect(() => {
    const controller = new AbortController();
    for (const id of followed) {
      void followJobLive(
        id,
        (data) => {
          if (!data) return;
          setLatest((previous) => new Map(previous).set(id, data));
        },
        controller.signal,
        (data) => TERMINAL_STATUSES.includes(data.status),
      );
    }
    return () => controller.abort();
  }, [key]);

  return latest;
}
