import { type MessageParams, MessageParamsSchema } from '../../domain/request.schema.js';

/**
 * Checks one request's params as the API does after accepting a batch: a
 * string says what is wrong (the request will come back errored).
 */
export function checkMessageParams(params: unknown): MessageParams | string {
  const parsed = MessageParamsSchema.safeParse(params);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  const where = issue.path.length ? issue.path.join('.') : 'params';
  return issue.code === 'invalid_type' && issue.input === undefined
    ? `${where}: Field required`
    : `${where}: ${issue.message}`;
}
