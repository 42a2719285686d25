import type { MessageParams } from '../../domain/request.schema.js';

/** What the simulated model answers to one request: all it needs to write the result later. */
export interface SimulatedReply {
  model: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  stopReason: 'end_turn' | 'max_tokens';
  /** The prompt's prefixes up to each block marked `cache_control`, shortest first (empty when none is). */
  cachePrefixes: CachedPrefix[];
  /**
   * How many of `cachePrefixes` the cache held when the batch began (the longest of them is
   * read, the later ones are written); set by the batch registry, 0 until then.
   */
  cacheReadCount: number;
  /** Web searches run for it: one when it offers a web search tool (with max_uses ≥ 1), else 0. */
  webSearches: number;
}

export type CacheTtl = '5m' | '1h';

/** A prefix of a prompt a request asks to cache: what it is (a key), how long, and its tokens. */
export interface CachedPrefix {
  /** The model and the texts of the prefix: the same prefix of another prompt has the same key. */
  key: string;
  ttl: CacheTtl;
  /** The prefix's tokens, part of `inputTokens`: read from or written to the cache instead of plain input. */
  tokens: number;
}

const CHARS_PER_TOKEN = 4;
const ECHO_CHARS = 48;

/**
 * The deterministic answer to a request: the same params always get the same
 * reply, and its token counts grow with the size of the request.
 */
export function simulateReply(params: MessageParams): SimulatedReply {
  const inputTokens = simulatedInputTokens(params);
  const cachePrefixes = cachedPrefixesOf(params, inputTokens);
  const lastUserText = params.messages.findLast((m) => m.role === 'user');
  const echo = (lastUserText ? messageTexts(lastUserText).join(' ') : '').slice(0, ECHO_CHARS);
  const fullText = `Simulated reply to ${inputTokens} input tokens: ${echo}`;
  const fullTokens = Math.ceil(fullText.length / CHARS_PER_TOKEN);
  const webSearches = webSearchesFor(params);
  if (fullTokens <= params.max_tokens) {
    return {
      model: params.model,
      text: fullText,
      inputTokens,
      outputTokens: fullTokens,
      stopReason: 'end_turn',
      cachePrefixes,
      cacheReadCount: 0,
      webSearches,
    };
  }
  return {
    model: params.model,
    text: fullText.slice(0, params.max_tokens * CHARS_PER_TOKEN),
    inputTokens,
    outputTokens: params.max_tokens,
    stopReason: 'max_tokens',
    cachePrefixes,
    cacheReadCount: 0,
    webSearches,
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

/**
 * Every prefix that ends at a block marked `cache_control` (at most four, the API's limit, is not
 * checked here), each with that block's TTL (`1h`, else 5 m). The key leaves the TTL out: a
 * request asking for 1 h reads a prefix another wrote for 5 m, as the cache holds content.
 */
function cachedPrefixesOf(params: MessageParams, inputTokens: number): CachedPrefix[] {
  const blocks = promptBlocks(params);
  const prefixes: CachedPrefix[] = [];
  let chars = 0;
  blocks.forEach((block, index) => {
    chars += block.text.length;
    if (block.cacheControl == null) return;
    prefixes.push({
      key: JSON.stringify([params.model, blocks.slice(0, index + 1).map((b) => b.text)]),
      ttl: (block.cacheControl as { ttl?: unknown }).ttl === '1h' ? '1h' : '5m',
      tokens: Math.min(inputTokens, Math.ceil(chars / CHARS_PER_TOKEN)),
    });
  });
  return prefixes;
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

/**
 * The simulated model searches once when the request offers it a web search tool (Anthropic
 * bills each search; max_uses 0 allows none): enough to see the fee in a job's cost.
 */
function webSearchesFor(params: MessageParams): number {
  const tools = Array.isArray(params.tools) ? (params.tools as unknown[]) : [];
  const search = tools.find((tool) => {
    const type = (tool as { type?: unknown }).type;
    return typeof type === 'string' && type.startsWith('web_search');
  }) as { max_uses?: unknown } | undefined;
  if (!search) return 0;
  return typeof search.max_uses === 'number' ? Math.min(1, search.max_uses) : 1;
}
