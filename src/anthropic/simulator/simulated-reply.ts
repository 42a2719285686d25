import type { MessageParams } from '../../domain/request.schema.js';

/** What the simulated model answers to one request: all it needs to write the result later. */
export interface SimulatedReply {
  model: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  stopReason: 'end_turn' | 'max_tokens';
  /** The prompt's cached prefix (up to its last `cache_control` block), null when none is asked for. */
  cache: CachedPrefix | null;
}

/** The part of a prompt a request asks to cache: what it is (a key), how long, and its tokens. */
export interface CachedPrefix {
  key: string;
  ttl: '5m' | '1h';
  /** Part of `inputTokens`: a write or a read of the cache instead of plain input. */
  tokens: number;
  /** Read from the cache (an earlier request of the batch wrote it), else written. */
  read: boolean;
}

const CHARS_PER_TOKEN = 4;
const ECHO_CHARS = 48;

/**
 * The deterministic answer to a request: the same params always get the same
 * reply, and its token counts grow with the size of the request.
 */
export function simulateReply(params: MessageParams): SimulatedReply {
  const inputTokens = simulatedInputTokens(params);
  const cache = cachedPrefixOf(params, inputTokens);
  const lastUserText = params.messages.findLast((m) => m.role === 'user');
  const echo = (lastUserText ? messageTexts(lastUserText).join(' ') : '').slice(0, ECHO_CHARS);
  const fullText = `Simulated reply to ${inputTokens} input tokens: ${echo}`;
  const fullTokens = Math.ceil(fullText.length / CHARS_PER_TOKEN);
  if (fullTokens <= params.max_tokens) {
    return {
      model: params.model,
      text: fullText,
      inputTokens,
      outputTokens: fullTokens,
      stopReason: 'end_turn',
      cache,
    };
  }
  return {
    model: params.model,
    text: fullText.slice(0, params.max_tokens * CHARS_PER_TOKEN),
    inputTokens,
    outputTokens: params.max_tokens,
    stopReason: 'max_tokens',
    cache,
  };
}

/**
 * The prompt's tokens, a token every four characters of its text (system and messages): what
 * `count_tokens` answers and what a result's usage reports (input plus cache writes and reads).
 */
export function simulatedInputTokens(params: Pick<MessageParams, 'system' | 'messages'>): number {
  const texts = [...systemTexts(params.system), ...params.messages.flatMap(messageTexts)];
  const inputChars = texts.reduce((sum, text) => sum + text.length, 0);
  return Math.max(1, Math.ceil(inputChars / CHARS_PER_TOKEN));
}

type PromptBlock = { text: string; cacheControl: unknown };

/** The text blocks of the prompt in order, each with its `cache_control` (if any). */
function promptBlocks(params: MessageParams): PromptBlock[] {
  const blocks: PromptBlock[] = [];
  const system = params.system;
  if (typeof system === 'string') blocks.push({ text: system, cacheControl: undefined });
  else for (const b of system ?? []) blocks.push({ text: b.text, cacheControl: b.cache_control });
  for (const message of params.messages) {
    if (typeof message.content === 'string') {
      blocks.push({ text: message.content, cacheControl: undefined });
      continue;
    }
    for (const block of message.content) {
      const text = block.type === 'text' && typeof block.text === 'string' ? block.text : '';
      blocks.push({ text, cacheControl: block.cache_control });
    }
  }
  return blocks;
}

/** The prefix up to the last block marked `cache_control`; its TTL is that block's (`1h` or 5 m). */
function cachedPrefixOf(params: MessageParams, inputTokens: number): CachedPrefix | null {
  const blocks = promptBlocks(params);
  const last = blocks.findLastIndex((b) => b.cacheControl != null);
  if (last < 0) return null;
  const prefix = blocks.slice(0, last + 1);
  const chars = prefix.reduce((sum, b) => sum + b.text.length, 0);
  const ttl = (blocks[last]!.cacheControl as { ttl?: unknown }).ttl === '1h' ? '1h' : '5m';
  return {
    key: JSON.stringify([params.model, ttl, prefix.map((b) => b.text)]),
    ttl,
    tokens: Math.min(inputTokens, Math.ceil(chars / CHARS_PER_TOKEN)),
    read: false,
  };
}

function systemTexts(system: MessageParams['system']): string[] {
  if (system === undefined) return [];
  return typeof system === 'string' ? [system] : system.map((block) => block.text);
}

function messageTexts(message: MessageParams['messages'][number]): string[] {
  if (typeof message.content === 'string') return [message.content];
  return message.content.flatMap((block) =>
    block.type === 'text' && typeof block.text === 'string' ? [block.text] : [],
  );
}
