import { ValidationError } from '../errors.js';

/** The `anthropic-version` values batchkeeper knows the rules of, oldest first. */
export const ANTHROPIC_API_VERSIONS = ['2023-06-01', '2026-10-21'] as const;
export type AnthropicApiVersion = (typeof ANTHROPIC_API_VERSIONS)[number];

/**
 * The version jobs are validated and sent under when nothing says otherwise: Anthropic's latest,
 * and what the @anthropic-ai/sdk we depend on (1.14) sends by default.
 */
export const DEFAULT_ANTHROPIC_VERSION: AnthropicApiVersion = '2026-10-21';

/**
 * What a job created before jobs recorded their version was sent under: the SDK's default
 * header, as no version was set then (the SDK has been 1.14 since the first commit).
 */
export const VERSION_SENT_BEFORE_IT_WAS_RECORDED: AnthropicApiVersion = '2026-10-21';

export function isAnthropicApiVersion(value: unknown): value is AnthropicApiVersion {
  return (ANTHROPIC_API_VERSIONS as readonly unknown[]).includes(value);
}

/** The version named by `value`; anything else is a ValidationError naming `field`. */
export function parseAnthropicVersion(value: string, field: string): AnthropicApiVersion {
  if (isAnthropicApiVersion(value)) return value;
  throw new ValidationError(
    `${field} must be one of ${ANTHROPIC_API_VERSIONS.join(', ')}; got "${value}"`,
    [{ path: field, message: `unknown anthropic-version "${value}"` }],
  );
}
