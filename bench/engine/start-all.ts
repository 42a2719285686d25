interface Stoppable {
  stop(): Promise<unknown>;
}

/**
 * Starts several processes at once; if any fails to start, stops the ones that
 * did and rethrows, so a failed start leaves nothing running.
 */
export async function startAll<const T extends ReadonlyArray<Promise<Stoppable>>>(
  starts: T,
): Promise<{ -readonly [K in keyof T]: Awaited<T[K]> }> {
  const settled = await Promise.allSettled(starts);
  const started = settled.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failure = settled.find((s): s is PromiseRejectedResult => s.status === 'rejected');
  if (failure) {
    await Promise.allSettled(started.map((s) => s.stop()));
    throw failure.reason;
  }
  return started as { -readonly [K in keyof T]: Awaited<T[K]> };
}
