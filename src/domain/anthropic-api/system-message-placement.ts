/**
 * Where a mid-conversation `role: "system"` message may stand, per Anthropic's page
 * (DOC_SOURCES.midConversationSystemMessages): not first; right after a user message or an
 * assistant message that ends in a server tool use; last, or followed by an assistant message
 * (so never next to another system message); text blocks only, without citations.
 */
export type SystemMessageProblem =
  | 'first'
  | 'consecutive'
  | 'not-after-user'
  | 'not-before-assistant'
  | 'not-text';

export interface MisplacedSystemMessage {
  problem: SystemMessageProblem;
  /** Dotted path in params: the message (`messages.3`) or, for content, its block (`messages.3.content.1`). */
  field: string;
}

type Message = Record<string, unknown>;

/** What each misplacement is called (the page says a 400, not its text: this wording is ours). */
export const SYSTEM_MESSAGE_PROBLEM_TEXT: Record<
  SystemMessageProblem,
  { api: string; why: string; fix: string }
> = {
  first: {
    api: 'a system message cannot be the first message',
    why: 'a role "system" message cannot open messages',
    fix: 'put instructions that apply from the start in the top-level system field',
  },
  consecutive: {
    api: 'consecutive system messages are not allowed',
    why: 'two role "system" messages stand next to each other',
    fix: 'merge them into one system message',
  },
  'not-after-user': {
    api: 'a system message must immediately follow a user message or an assistant message that ends in a server tool use',
    why: 'a role "system" message must come right after a user turn',
    fix: 'move the system message to just after a user message',
  },
  'not-before-assistant': {
    api: 'a system message must be the last message or be followed by an assistant message',
    why: 'a role "system" message must be last, or be followed by an assistant turn',
    fix: 'move the system message to the end of messages, or before an assistant message',
  },
  'not-text': {
    api: 'system messages accept text blocks only, without citations',
    why: 'a role "system" message may hold text only (no images, documents, tool blocks or citations)',
    fix: 'keep only plain text blocks in the system message',
  },
};

/** The indexes of the `role: "system"` messages in `messages` (an array of anything). */
export function systemMessageIndexes(messages: unknown): number[] {
  if (!Array.isArray(messages)) return [];
  return messages.flatMap((message: unknown, i) => (roleOf(message) === 'system' ? [i] : []));
}

/** The first thing wrong with each misplaced system message, in order; empty when all stand right. */
export function misplacedSystemMessages(messages: unknown): MisplacedSystemMessage[] {
  if (!Array.isArray(messages)) return [];
  return systemMessageIndexes(messages).flatMap((i) => {
    const problem = problemAt(messages, i);
    return problem ? [problem] : [];
  });
}

function problemAt(messages: readonly unknown[], i: number): MisplacedSystemMessage | undefined {
  const at = (problem: SystemMessageProblem) => ({ problem, field: `messages.${i}` });
  if (i === 0) return at('first');
  const before = messages[i - 1];
  const after = messages[i + 1];
  if (roleOf(before) === 'system' || roleOf(after) === 'system') return at('consecutive');
  if (roleOf(before) !== 'user' && !endsInServerToolUse(before)) return at('not-after-user');
  if (after !== undefined && roleOf(after) !== 'assistant') return at('not-before-assistant');
  const content = (messages[i] as Message).content;
  if (Array.isArray(content)) {
    const j = content.findIndex((block: unknown) => !isPlainText(block));
    if (j >= 0) return { problem: 'not-text', field: `messages.${i}.content.${j}` };
  }
  return undefined;
}

/** A text block without citations: all a system message may hold. */
function isPlainText(block: unknown): boolean {
  if (!isObject(block) || block.type !== 'text') return false;
  return !(Array.isArray(block.citations) && block.citations.length > 0);
}

/** An assistant message whose last block is a server tool use (a paused turn the server resumes). */
function endsInServerToolUse(message: unknown): boolean {
  if (roleOf(message) !== 'assistant') return false;
  const content = (message as Message).content;
  if (!Array.isArray(content) || content.length === 0) return false;
  const last: unknown = content[content.length - 1];
  return isObject(last) && last.type === 'server_tool_use';
}

function roleOf(message: unknown): unknown {
  return isObject(message) ? message.role : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
