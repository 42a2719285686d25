/**
 * A failure of work nothing waits for (a job's step, a scheduler round, a lease renewal, a
 * webhook delivery round): the manager emits it as `error` when someone listens, logs it
 * through its `log` option, and with neither writes it to stderr, so it never vanishes.
 */
export class BackgroundFailure extends Error {
  constructor(
    message: string,
    readonly fields: Readonly<Record<string, unknown>>,
  ) {
    super(message);
    this.name = 'BackgroundFailure';
  }

  /** The job the failure is about, when it is about one. */
  get jobId(): string | undefined {
    return typeof this.fields.jobId === 'string' ? this.fields.jobId : undefined;
  }
}
