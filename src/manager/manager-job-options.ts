import type { ManagerEnvironment } from '../config.js';
import { DEFAULT_JOB_OPTIONS, type JobOptions } from '../machines/job-options.js';
import type { BatchJobManagerOptions } from './manager-options.js';

/**
 * The job options a manager runs with: the defaults, overridden by the environment's
 * anthropic-version and price table, overridden by the manager's options.
 */
export function managerJobOptions(
  options: BatchJobManagerOptions,
  env: ManagerEnvironment,
): JobOptions {
  const { defaultPriority, ...rest } = options;
  return {
    ...DEFAULT_JOB_OPTIONS,
    ...pickJobOptions({ anthropicVersion: env.anthropicVersion, priceTable: env.priceTable }),
    ...pickJobOptions(rest),
    ...(defaultPriority ? { defaultPriority } : {}),
  };
}

function pickJobOptions(value: object): Partial<JobOptions> {
  return Object.fromEntries(
    Object.entries(value).filter(([key, v]) => key in DEFAULT_JOB_OPTIONS && v !== undefined),
  ) as Partial<JobOptions>;
}
