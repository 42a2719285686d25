// The options live in src/domain/job-options.ts; this path is kept while the manager imports it.
export { DEFAULT_JOB_OPTIONS, type JobOptions } from '../domain/job-options.js';
