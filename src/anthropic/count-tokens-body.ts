/** The fields of a Messages request that `count_tokens` takes; it refuses any other. */
const COUNTED_FIELDS = [
  'model',
  'messages',
  'system',
  'tools',
  'tool_choice',
  'thinking',
  'mcp_servers',
  'context_management',
  'output_config',
  'output_format',
] as const;

/** A request's params as a count_tokens body: the counted fields, nothing else. */
export function countTokensBody(params: object): Record<string, unknown> {
  const source = params as Record<string, unknown>;
  const body: Record<string, unknown> = {};
  for (const field of COUNTED_FIELDS) if (source[field] !== undefined) body[field] = source[field];
  return body;
}
