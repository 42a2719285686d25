import { z } from 'zod';
import { MAX_TAGS_PER_JOB, TagSchema } from './job-config.schema.js';
import { JobStatusSchema } from './job-status.js';
import { PrioritySchema } from './priority.js';
import { refineStorableText } from './storable-json.js';
import { parseOrThrow } from './validation.js';

/** How many jobs a page holds when the caller does not say: 50. */
export const DEFAULT_LIST_LIMIT = 50;

/** The most jobs one page may hold: 1000. */
export const MAX_LIST_LIMIT = 1000;

/** The longest text search (`q`): 200 characters. */
export const MAX_LIST_QUERY_LENGTH = 200;

/** The fields a job list can be sorted by. */
export const LIST_JOBS_SORT_FIELDS = [
  'createdAt',
  'updatedAt',
  'priority',
  'status',
  'completedAt',
  'startedAt',
] as const;
export type ListJobsSortBy = (typeof LIST_JOBS_SORT_FIELDS)[number];

/** An integer given as a number or, from a query string, as decimal digits. */
function integerInput(name: string, min: number, max: number) {
  const error = `${name} must be an integer from ${min} to ${max}`;
  return z
    .union([z.number(), z.string().regex(/^\d+$/, { error }).transform(Number)], { error })
    .pipe(z.int({ error }).min(min, { error }).max(max, { error }));
}

/** Tags as a list or, from a query string, comma-separated; an empty list means no tag filter. */
const TagsFilterSchema = z
  .union([z.array(z.string()), z.string()], {
    error: 'tags must be a list of tags or a comma-separated string',
  })
  .transform((tags) => (typeof tags === 'string' ? tags.split(',') : tags))
  .transform((tags) => tags.map((tag) => tag.trim()).filter((tag) => tag !== ''))
  .pipe(
    z.array(TagSchema).max(MAX_TAGS_PER_JOB, {
      error: `at most ${MAX_TAGS_PER_JOB} tags may be filtered on`,
    }),
  )
  .transform((tags) => (tags.length === 0 ? undefined : tags));

/** A text search; blank means none. */
const TextSearchSchema = z
  .string({ error: 'q must be text' })
  .trim()
  .max(MAX_LIST_QUERY_LENGTH, { error: `q may be at most ${MAX_LIST_QUERY_LENGTH} characters` })
  .superRefine(refineStorableText)
  .transform((q) => (q === '' ? undefined : q));

/**
 * listJobs' filter: `limit` (default: 50), `offset` (default: 0), `sortBy` (default: createdAt),
 * `sortOrder` (default: desc). `priority` keeps jobs of that level or more urgent (`priority: 2`
 * is CRITICAL and HIGH); `tags` keeps jobs carrying any of them; `q` keeps jobs whose id starts
 * with it or whose tags or metadata values (at any depth) contain it, ignoring case; absent or
 * null filters keep all.
 */
export const ListJobsFilterSchema = z.strictObject({
  status: JobStatusSchema.nullish().transform((status) => status ?? undefined),
  priority: PrioritySchema.nullish().transform((priority) => priority ?? undefined),
  tags: TagsFilterSchema.nullish().transform((tags) => tags ?? undefined),
  q: TextSearchSchema.nullish().transform((q) => q ?? undefined),
  limit: integerInput('limit', 1, MAX_LIST_LIMIT).default(DEFAULT_LIST_LIMIT),
  offset: integerInput('offset', 0, Number.MAX_SAFE_INTEGER).default(0),
  sortBy: z
    .enum(LIST_JOBS_SORT_FIELDS, {
      error: `sortBy must be one of ${LIST_JOBS_SORT_FIELDS.join(', ')}`,
    })
    .default('createdAt'),
  sortOrder: z.enum(['asc', 'desc'], { error: 'sortOrder must be asc or desc' }).default('desc'),
});
export type ListJobsFilter = z.output<typeof ListJobsFilterSchema>;
export type ListJobsFilterInput = z.input<typeof ListJobsFilterSchema>;

/**
 * Reads listJobs' filter from an object or parsed query parameters, filling in the defaults
 * (limit 50, offset 0, newest first); throws a ValidationError for a bad value.
 * @example parseListJobsFilter({ status: 'QUEUED', tags: 'a,b', limit: '10' })
 */
export function parseListJobsFilter(input: unknown = {}): ListJobsFilter {
  return parseOrThrow(ListJobsFilterSchema, input, 'invalid job filter');
}
