// The HTTP API's shapes as the pages read them: names for the types openapi-typescript makes of
// the served OpenAPI document (openapi.generated.ts; after a change to the routes, run
// `npx vitest run test/openapi -u`). Only what the document does not describe is written here.
import type { components, paths } from './openapi.generated.js';

type Schemas = components['schemas'];

/** The JSON body of the 200 answer to `method path`. */
type Ok<
  Path extends keyof paths,
  Method extends 'get' | 'post' | 'patch' | 'delete',
> = paths[Path][Method] extends {
  responses: { 200: { content: { 'application/json': infer Body } } };
}
  ? Body
  : never;

export type JobStatus = Schemas['Job']['status'];
export type JobProgress = Schemas['JobProgress'];
export type Job = Schemas['Job'];
export type JobBatch = Schemas['JobBatch'];
export type JobErrorEntry = Schemas['JobDetails']['errors'][number];
/** Present when the job was read `asOf` a version of its log. */
export type AsOf = Schemas['AsOf'];
export type JobDetails = Ok<'/v1/jobs/{id}', 'get'>;
export type JobList = Ok<'/v1/jobs', 'get'>;
export type JobEventRecord = Schemas['JobEvent'];
export type JobEventLog = Ok<'/v1/jobs/{id}/events', 'get'>;
export type JobStats = Ok<'/v1/stats', 'get'>;
export type StatsSeries = Ok<'/v1/stats/series', 'get'>;
export type DeliveryAttempt = Schemas['WebhookDeliveryAttempt'];
export type Delivery = Schemas['WebhookDelivery'];
export type DeliveryPage = Ok<'/v1/webhooks/deliveries', 'get'>;

/**
 * What a job stream's `status` and `progress` events carry (a `status` event also has
 * `previousStatus`, which the pages do not read). Written here: the document describes
 * `GET /v1/jobs/{id}/stream` as text/event-stream with an example, not its events' data.
 */
export type JobStreamData = Pick<Job, 'id' | 'status' | 'step' | 'progress' | 'updatedAt'>;
