// The HTTP API's shapes as the pages read them (see src/http/jobs.schemas.ts, webhooks.schemas.ts).

export const JOB_STATUSES = [
  'pending',
  'queued',
  'processing',
  'paused',
  'completed',
  'failed',
  'cancelled',
  'expired',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const TERMINAL_STATUSES: readonly JobStatus[] = [
  'completed',
  'failed',
  'cancelled',
  'expired',
];

export interface JobProgress {
  total: number;
  pending: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  expired: number;
  percentComplete: number;
}

export interface Job {
  id: string;
  tenant: string;
  status: JobStatus;
  step: string | null;
  priority: number;
  totalRequests: number;
  uniqueRequests: number;
  deduplicatedRequests: number;
  progress: JobProgress;
  metadata: Record<string, unknown>;
  tags: string[];
  createdAt: string;
  updatedAt: string;
  startedAt: string | null;
  completedAt: string | null;
  expiresAt: string;
  retryCount: number;
  cancelRequested: boolean;
  failureReason: string | null;
  usage: { inputTokens: number; outputTokens: number; costUsd: number | null };
  batchIds: string[];
  errorCount: number;
  finalErrorCount: number;
  retriedErrorCount: number;
}

export interface JobBatch {
  batchKey: string;
  batchId: string | null;
  attempt: number;
  requestCount: number;
  status: string;
  submittedAt: string | null;
  endedAt: string | null;
  collectedAt: string | null;
}

export interface JobErrorEntry {
  customId: string;
  type: string | null;
  message: string | null;
  final: boolean;
  at: string;
}

/** Present when the job was read `asOf` a version of its log. */
export interface AsOf {
  version: number;
  at: string;
  requestDetails: string;
}

export interface JobDetails extends Job {
  batches: JobBatch[];
  errors: JobErrorEntry[];
  asOf?: AsOf;
}

export interface JobList {
  jobs: Job[];
  total: number;
  limit: number;
  offset: number;
}

export interface JobEventRecord {
  position: number;
  version: number;
  type: string;
  data: unknown;
  metadata: Record<string, unknown>;
  recordedAt: string;
}

export interface JobEventLog {
  jobId: string;
  events: JobEventRecord[];
}

/** `/v1/stats` (TenantStats); `today` and `webhookDeliveries` are read when present. */
export interface JobStats {
  totalCreated: number;
  totalCompleted: number;
  totalFailed: number;
  totalCancelled: number;
  totalExpired: number;
  totalDeduplicated: number;
  averageProcessingTime: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  byStatus: Record<string, number>;
  queueDepth: number;
  /** Since UTC midnight; `errorsByType`: Anthropic's errors by type. */
  today?: {
    since: string;
    inputTokens: number;
    outputTokens: number;
    costUsd: number;
    errorsByType: Record<string, number>;
  };
  webhookDeliveries?: { pending: number; dead: number };
}

export interface StatsSeries {
  hourly: { hour: string; created: number; completed: number }[];
  daily: { day: string; inputTokens: number; outputTokens: number; costUsd: number }[];
}

export interface DeliveryAttempt {
  attemptNumber: number;
  attemptedAt: string;
  durationMs: number;
  statusCode: number | null;
  error: string | null;
  responseExcerpt: string | null;
  instanceId: string;
}

export interface Delivery {
  id: string;
  subscriptionId: string | null;
  jobId: string | null;
  type: string;
  url: string;
  status: 'pending' | 'delivered' | 'dead';
  attemptCount: number;
  nextAttemptAt: string | null;
  createdAt: string;
  deliveredAt: string | null;
  lastError: string | null;
  attempts: DeliveryAttempt[];
}

export interface DeliveryPage {
  deliveries: Delivery[];
  nextCursor: string | null;
}

/** What a job stream's `status` and `progress` events carry. */
export interface JobStreamData {
  id: string;
  status: JobStatus;
  step: string | null;
  progress: JobProgress;
  updatedAt: string;
}

export const PRIORITY_NAMES: Record<number, string> = {
  1: 'CRITICAL',
  2: 'HIGH',
  3: 'NORMAL',
  4: 'LOW',
  5: 'BACKGROUND',
};
