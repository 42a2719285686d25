/** A job's event as GET /v1/jobs/:id/events answers it: what the budget tests read. */
export interface LoggedEvent {
  type: string;
  data: Record<string, unknown>;
}

export const ofType = (events: LoggedEvent[], type: string) =>
  events.filter((e) => e.type === type);

/** Requests the job sent, over all its sub-batches. */
export const sentRequests = (events: LoggedEvent[]) =>
  ofType(events, 'BatchSubmissionIntended').reduce(
    (sum, e) => sum + (e.data.requestCount as number),
    0,
  );

/**
 * At every sub-batch sent: the worst case of what is in flight plus what was billed, in the
 * log's order (what a budget must never be passed by).
 */
export function committedAtEachSending(events: LoggedEvent[]): number[] {
  const open = new Map<string, number>();
  let billed = 0;
  const committed: number[] = [];
  for (const { type, data } of events) {
    if (type === 'BatchSubmissionIntended') {
      open.set(data.batchKey as string, data.worstCaseUsd as number);
      committed.push(billed + [...open.values()].reduce((sum, usd) => sum + usd, 0));
    } else if (type === 'BatchResultsCollected') {
      open.delete(data.batchKey as string);
      billed += (data.usage as { costUsd: number }).costUsd;
    }
  }
  return committed;
}
