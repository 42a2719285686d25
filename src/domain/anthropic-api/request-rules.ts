import { ANTHROPIC_API_VERSIONS, type AnthropicApiVersion } from './api-version.js';
import { DOC_SOURCES } from './doc-sources.js';

/**
 * What Anthropic refuses in a Message Batch request, as data: one entry per rule, the versions
 * it holds under and the page it comes from. The validator (check-request.ts) and the simulator
 * both read this table; test/domain/anthropic-api/*.golden.test.ts checks it against cases
 * written from the pages themselves.
 */
export type RequestRule =
  | {
      kind: 'removed-parameter';
      id: string;
      versions: readonly AnthropicApiVersion[];
      /** Refused when present at all, whatever the value (even the default). */
      parameters: readonly string[];
      source: string;
    }
  | {
      kind: 'batch-unsupported-parameter';
      id: string;
      versions: readonly AnthropicApiVersion[];
      parameter: string;
      /** `present`: any value; `true`: only `true` (stream: false is fine); `zero`: only 0. */
      when: 'present' | 'true' | 'zero';
      source: string;
    }
  | {
      kind: 'assistant-document-block';
      id: string;
      versions: readonly AnthropicApiVersion[];
      source: string;
    }
  | {
      kind: 'user-text-citations';
      id: string;
      versions: readonly AnthropicApiVersion[];
      source: string;
    }
  | { kind: 'model-known'; id: string; versions: readonly AnthropicApiVersion[]; source: string }
  | {
      kind: 'model-not-retired';
      id: string;
      versions: readonly AnthropicApiVersion[];
      source: string;
    }
  | {
      kind: 'max-tokens-within-limit';
      id: string;
      versions: readonly AnthropicApiVersion[];
      source: string;
    }
  | {
      /** A `role: "system"` message in `messages` on a model that does not take them. */
      kind: 'system-message-model';
      id: string;
      versions: readonly AnthropicApiVersion[];
      source: string;
    }
  | {
      /**
       * A `role: "system"` message not placed as the page says: never first, right after a user
       * message (or an assistant message ending in a server tool use), last or followed by an
       * assistant message, text blocks only.
       */
      kind: 'system-message-placement';
      id: string;
      versions: readonly AnthropicApiVersion[];
      source: string;
    };

export type RequestRuleKind = RequestRule['kind'];

const EVERY_VERSION = ANTHROPIC_API_VERSIONS;
const FROM_2026_10_21: readonly AnthropicApiVersion[] = ['2026-10-21'];

const unsupportedInBatch = (parameter: string, when: 'present' | 'true' | 'zero') =>
  ({
    kind: 'batch-unsupported-parameter',
    id: `batch-unsupported:${parameter}`,
    versions: EVERY_VERSION,
    parameter,
    when,
    source: DOC_SOURCES.batchProcessing,
  }) as const;

/** Every rule, in the order a request is checked. */
export const REQUEST_RULES: readonly RequestRule[] = [
  {
    kind: 'removed-parameter',
    id: 'sampling-parameters-removed',
    versions: FROM_2026_10_21,
    parameters: ['temperature', 'top_p', 'top_k'],
    source: DOC_SOURCES.versioning,
  },
  {
    kind: 'assistant-document-block',
    id: 'no-document-in-assistant-message',
    versions: FROM_2026_10_21,
    source: DOC_SOURCES.versioning,
  },
  {
    kind: 'user-text-citations',
    id: 'no-citations-in-user-text',
    versions: FROM_2026_10_21,
    source: DOC_SOURCES.versioning,
  },
  unsupportedInBatch('stream', 'true'),
  unsupportedInBatch('max_tokens', 'zero'),
  unsupportedInBatch('speed', 'present'),
  unsupportedInBatch('store', 'present'),
  unsupportedInBatch('cache_hint', 'present'),
  { kind: 'model-known', id: 'model-known', versions: EVERY_VERSION, source: DOC_SOURCES.models },
  {
    kind: 'model-not-retired',
    id: 'model-not-retired',
    versions: EVERY_VERSION,
    source: DOC_SOURCES.modelDeprecations,
  },
  {
    kind: 'max-tokens-within-limit',
    id: 'max-tokens-within-limit',
    versions: EVERY_VERSION,
    source: DOC_SOURCES.models,
  },
  {
    kind: 'system-message-model',
    id: 'system-message-model',
    versions: EVERY_VERSION,
    source: DOC_SOURCES.midConversationSystemMessages,
  },
  {
    kind: 'system-message-placement',
    id: 'system-message-placement',
    versions: EVERY_VERSION,
    source: DOC_SOURCES.midConversationSystemMessages,
  },
];

const RULES_BY_VERSION = new Map(
  ANTHROPIC_API_VERSIONS.map((version) => [
    version,
    REQUEST_RULES.filter((rule) => rule.versions.includes(version)),
  ]),
);

/** The rules that hold under `version`. */
export function rulesFor(version: AnthropicApiVersion): readonly RequestRule[] {
  return RULES_BY_VERSION.get(version) ?? [];
}
