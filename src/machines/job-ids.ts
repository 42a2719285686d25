import { randomBytes } from 'node:crypto';

/** A new job id: `job_` + time (base36) + 64 random bits; sortable by creation, safe in custom_ids. */
export function newJobId(now: Date): string {
  return `job_${now.getTime().toString(36)}${randomBytes(8).toString('hex')}`;
}

/**
 * The custom_id a request is sent under: its job and its place in the job.
 * Any result, even from a batch we lost track of, leads back to both.
 */
export function sentCustomId(jobId: string, ordinal: number): string {
  return `${jobId}_${ordinal}`;
}

/** The job and ordinal a sent custom_id names, or undefined if it is not one of ours. */
export function parseSentCustomId(
  customId: string,
): { jobId: string; ordinal: number } | undefined {
  const match = /^(job_[a-z0-9]+)_(\d+)$/.exec(customId);
  return match ? { jobId: match[1]!, ordinal: Number(match[2]) } : undefined;
}
