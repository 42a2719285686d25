import type { JobStatus } from '../domain/job-status.js';
import type { JobProgress } from '../domain/progress.js';

/** The seed's EventEmitter events and their payloads, emitted after the commit. */
export interface JobNotifications {
  'job:created': {
    id: string;
    priority: number;
    totalRequests: number;
    uniqueRequests: number;
    deduplicatedRequests: number;
  };
  'job:status_changed': {
    id: string;
    oldStatus: JobStatus | null;
    newStatus: JobStatus;
    progress: JobProgress;
  };
  'job:progress': { id: string; progress: JobProgress; percentComplete: number };
  'job:cancelled': { id: string };
  'job:paused': { id: string };
  'job:resumed': { id: string };
  'job:deleted': { id: string };
  'job:cancel_worker': { jobId: string; workerId: string };
}

export type Notify = <K extends keyof JobNotifications>(
  name: K,
  payload: JobNotifications[K],
) => void;
