import type { AnthropicApiVersion } from './api-version.js';
import {
  currentModelIds,
  currentSystemMessageModelIds,
  type ModelCatalogue,
  type ModelStanding,
  maxOutputTokens,
  modelStanding,
  refusesSystemMessages,
} from './model-catalogue.js';
import { type RequestRule, rulesFor } from './request-rules.js';
import {
  misplacedSystemMessages,
  SYSTEM_MESSAGE_PROBLEM_TEXT,
  systemMessageIndexes,
} from './system-message-placement.js';

/** What to check a request against: the version it will be sent under, and the models. */
export interface RequestCheckContext {
  version: AnthropicApiVersion;
  catalogue: ModelCatalogue;
  now: Date;
  /** The `anthropic-beta` values the batch is sent with (default: none). */
  betas?: readonly string[];
}

/** One thing Anthropic would refuse in a request. */
export interface RequestViolation {
  rule: string;
  /** Where in params, dotted (`temperature`, `messages.1.content.0`). */
  field: string;
  /** The error type and text of the errored result Anthropic would give. */
  errorType: 'invalid_request_error' | 'not_found_error';
  apiMessage: string;
  /** Why, and what to do, for a person. */
  why: string;
  fix: string;
  source: string;
}

type Params = Record<string, unknown>;

/** Every rule of the context's version that `params` breaks; empty when Anthropic would accept it. */
export function checkRequestParams(
  params: Params,
  context: RequestCheckContext,
): RequestViolation[] {
  let standing: ModelStanding | undefined;
  const modelOf = (model: string) => {
    standing ??= modelStanding(context.catalogue, model, context.now);
    return standing;
  };
  const violations: RequestViolation[] = [];
  for (const rule of rulesFor(context.version)) {
    const found = violationsOf(rule, params, context, modelOf);
    if (found.length > 0) violations.push(...found);
  }
  return violations;
}

function violationsOf(
  rule: RequestRule,
  params: Params,
  context: RequestCheckContext,
  modelOf: (model: string) => ModelStanding,
): RequestViolation[] {
  const base = { rule: rule.id, source: rule.source };
  const { version } = context;
  switch (rule.kind) {
    case 'removed-parameter':
      return rule.parameters
        .filter((name) => params[name] !== undefined)
        .map((name) => ({
          ...base,
          field: name,
          errorType: 'invalid_request_error' as const,
          apiMessage: `${name}: Extra inputs are not permitted`,
          why: `${name} is not accepted under anthropic-version ${version}, whatever its value`,
          fix: `remove ${name}, or pin anthropic-version 2023-06-01 for this job`,
        }));
    case 'batch-unsupported-parameter': {
      const value = params[rule.parameter];
      const hit =
        rule.when === 'present'
          ? value !== undefined
          : rule.when === 'true'
            ? value === true
            : value === 0;
      if (!hit) return [];
      const what = rule.when === 'present' ? rule.parameter : `${rule.parameter}: ${String(value)}`;
      return [
        {
          ...base,
          field: rule.parameter,
          errorType: 'invalid_request_error',
          apiMessage: `${rule.parameter}: ${what} is not supported in Message Batches requests`,
          why: `${what} is not supported inside a Message Batch`,
          fix:
            rule.when === 'zero'
              ? 'set max_tokens to at least 1'
              : `remove ${rule.parameter} from the request`,
        },
      ];
    }
    case 'assistant-document-block':
      return blocksOf(params, 'assistant')
        .filter(({ block }) => block.type === 'document')
        .map(({ path }) => ({
          ...base,
          field: path,
          errorType: 'invalid_request_error' as const,
          apiMessage: `${path}: document blocks are not permitted in assistant messages`,
          why: `a document block in an assistant message is refused under anthropic-version ${version}`,
          fix: 'move the document into a user message, or pin anthropic-version 2023-06-01',
        }));
    case 'user-text-citations':
      return blocksOf(params, 'user').flatMap(({ block, path }) =>
        citedTextBlocks(block, path).map((cited) => ({
          ...base,
          field: `${cited}.citations`,
          errorType: 'invalid_request_error' as const,
          apiMessage: `${cited}.citations: citations are not permitted on text blocks in user messages`,
          why: `a user text block with citations is refused under anthropic-version ${version}`,
          fix: 'drop the citations (keep the text), or pin anthropic-version 2023-06-01',
        })),
      );
    case 'model-known': {
      if (typeof params.model !== 'string') return [];
      if (modelOf(params.model).kind !== 'unknown') return [];
      return [
        {
          ...base,
          field: 'model',
          errorType: 'not_found_error',
          apiMessage: `model: ${params.model}`,
          why: `model ${params.model} is not one Anthropic offers`,
          fix: `use one of ${currentModelIds(context.catalogue, context.now).join(', ')}`,
        },
      ];
    }
    case 'model-not-retired': {
      if (typeof params.model !== 'string') return [];
      const standing = modelOf(params.model);
      if (standing.kind !== 'retired') return [];
      const on = standing.retiredAt ? ` on ${standing.retiredAt.slice(0, 10)}` : '';
      return [
        {
          ...base,
          field: 'model',
          errorType: 'not_found_error',
          apiMessage: `model: ${params.model} was retired${on}`,
          why: `model ${params.model} was retired${on}; requests naming it fail`,
          fix: `use one of ${currentModelIds(context.catalogue, context.now).join(', ')}`,
        },
      ];
    }
    case 'max-tokens-within-limit': {
      if (typeof params.model !== 'string' || typeof params.max_tokens !== 'number') return [];
      const standing = modelOf(params.model);
      if (standing.kind !== 'available') return [];
      const limit = maxOutputTokens(standing.model, context.betas ?? []);
      if (limit === null || params.max_tokens <= limit) return [];
      return [
        {
          ...base,
          field: 'max_tokens',
          errorType: 'invalid_request_error',
          apiMessage: `max_tokens: ${params.max_tokens} > ${limit}, which is the maximum allowed number of output tokens for ${params.model}`,
          why: `${params.model} writes at most ${limit} output tokens`,
          fix: `set max_tokens to ${limit} or less`,
        },
      ];
    }
    case 'system-message-model': {
      if (typeof params.model !== 'string') return [];
      const standing = modelOf(params.model);
      if (standing.kind !== 'available' || !refusesSystemMessages(standing.model)) return [];
      // The API stops at the first one: one violation, not one per system message.
      const first = systemMessageIndexes(params.messages)[0];
      if (first === undefined) return [];
      const takers = currentSystemMessageModelIds(context.catalogue, context.now);
      return [
        {
          ...base,
          field: `messages.${first}.role`,
          errorType: 'invalid_request_error',
          apiMessage: "role 'system' is not supported on this model",
          why: `${params.model} does not take role "system" messages in messages (mid-conversation system messages start with Claude Opus 4.8)`,
          fix: `move the instructions into the top-level system field${takers.length > 0 ? `, or use one of ${takers.join(', ')}` : ''}`,
        },
      ];
    }
    case 'system-message-placement': {
      if (typeof params.model === 'string') {
        const standing = modelOf(params.model);
        // A model that refuses system messages outright says only that (the rule above).
        if (standing.kind === 'available' && refusesSystemMessages(standing.model)) return [];
      }
      return misplacedSystemMessages(params.messages).map(({ problem, field }) => ({
        ...base,
        field,
        errorType: 'invalid_request_error' as const,
        apiMessage: `${field}: ${SYSTEM_MESSAGE_PROBLEM_TEXT[problem].api}`,
        why: SYSTEM_MESSAGE_PROBLEM_TEXT[problem].why,
        fix: SYSTEM_MESSAGE_PROBLEM_TEXT[problem].fix,
      }));
    }
    default: {
      const unreachable: never = rule;
      return unreachable;
    }
  }
}

type Block = Record<string, unknown>;

/** The content blocks of every message with `role`, with their dotted paths. */
function blocksOf(params: Params, role: string): Array<{ block: Block; path: string }> {
  const messages = Array.isArray(params.messages) ? params.messages : [];
  return messages.flatMap((message: unknown, i) => {
    if (!isObject(message) || message.role !== role || !Array.isArray(message.content)) return [];
    return message.content.flatMap((block: unknown, j) =>
      isObject(block) ? [{ block, path: `messages.${i}.content.${j}` }] : [],
    );
  });
}

/** Text blocks with non-empty citations: the block itself, or inside a search_result's content. */
function citedTextBlocks(block: Block, path: string): string[] {
  if (block.type === 'text') return hasCitations(block) ? [path] : [];
  if (block.type === 'search_result' && Array.isArray(block.content)) {
    return block.content.flatMap((inner: unknown, k) =>
      isObject(inner) && inner.type === 'text' && hasCitations(inner)
        ? [`${path}.content.${k}`]
        : [],
    );
  }
  return [];
}

function hasCitations(block: Block): boolean {
  return Array.isArray(block.citations) && block.citations.length > 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
