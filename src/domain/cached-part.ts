import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json.js';
import { cacheTtlOf } from './job-estimate.js';
import type { MessageParams } from './request.schema.js';

/** How long a request asks its cache entry to live (`cache_control.ttl`). */
export type CacheTtl = '5m' | '1h';

/** Characters a token, the approximation prefix tokens are counted with (the simulator's too). */
export const CHARS_PER_TOKEN = 4;

/** The cached part of a request: which cache entry it reads or writes, for how long, its size. */
export interface CachedPart {
  /** Hex SHA-256 of the model and the prefix up to the last block marked `cache_control`. */
  fingerprint: string;
  /** The TTL the request asks for (its longest, cacheTtlOf). */
  ttl: CacheTtl;
  /** The prefix's tokens, approximated at CHARS_PER_TOKEN characters a token. */
  prefixTokens: number;
  model: string;
}

/**
 * The cached part of a request, or null when it marks no block with `cache_control`. The prompt
 * is read in the order Anthropic caches it (tools, system, messages); the prefix runs up to and
 * including the last marked block. Its fingerprint covers the model (caches are per model) and
 * the prefix's content with the marks left out: the same content marked for 5 minutes or for an
 * hour is one entry (docs/simulator.md).
 */
export function cachedPartOf(params: MessageParams): CachedPart | null {
  const blocks = promptBlocks(params);
  const last = blocks.findLastIndex((b) => b.marked);
  if (last < 0) return null;
  const prefix = blocks.slice(0, last + 1);
  const chars = prefix.reduce((sum, b) => sum + b.chars, 0);
  const fingerprint = createHash('sha256')
    .update(canonicalJson([params.model, prefix.map((b) => b.content)]), 'utf8')
    .digest('hex');
  return {
    fingerprint,
    ttl: cacheTtlOf(params) ?? '5m',
    prefixTokens: Math.ceil(chars / CHARS_PER_TOKEN),
    model: params.model,
  };
}

interface PromptBlock {
  /** What the cache keys on: the block without its `cache_control`, with its place. */
  content: unknown;
  chars: number;
  marked: boolean;
}

function promptBlocks(params: MessageParams): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  const push = (where: string, block: unknown) => {
    if (typeof block === 'string') {
      blocks.push({ content: [where, block], chars: block.length, marked: false });
      return;
    }
    const { cache_control: mark, ...rest } = (block ?? {}) as Record<string, unknown>;
    const text = typeof rest.text === 'string' ? rest.text : undefined;
    blocks.push({
      content: [where, rest],
      chars: text !== undefined ? text.length : JSON.stringify(rest).length,
      marked: mark != null,
    });
  };
  for (const tool of params.tools ?? []) push('tool', tool);
  if (typeof params.system === 'string') push('system', params.system);
  else for (const block of params.system ?? []) push('system', block);
  for (const message of params.messages) {
    if (typeof message.content === 'string') push(message.role, message.content);
    else for (const block of message.content) push(message.role, block);
  }
  return blocks;
}
