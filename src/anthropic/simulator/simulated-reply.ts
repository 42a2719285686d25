import type { MessageParams } from '../../domain/request.schema.js';

/** What the simulated model answers to one request: all it needs to write the result later. */
export interface SimulatedReply {
  model: string;
  text: string;
  inputTokens: number;
  outputTokens: number;
  stopReason: 'end_turn' | 'max_tokens';
}

const CHARS_PER_TOKEN = 4;
const ECHO_CHARS = 48;

/**
 * The deterministic answer to a request: the same params always get the same
 * reply, and its token counts grow with the size of the request.
 */
export function simulateReply(params: MessageParams): SimulatedReply {
  const texts = [...systemTexts(params.system), ...params.messages.flatMap(messageTexts)];
  const inputChars = texts.reduce((sum, text) => sum + text.length, 0);
  const inputTokens = Math.max(1, Math.ceil(inputChars / CHARS_PER_TOKEN));
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
    };
  }
  return {
    model: params.model,
    text: fullText.slice(0, params.max_tokens * CHARS_PER_TOKEN),
    inputTokens,
    outputTokens: params.max_tokens,
    stopReason: 'max_tokens',
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
