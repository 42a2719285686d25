/**
 * A JSON escape Postgres's jsonb refuses: `\u0000` (22P05) or a lone surrogate `\ud800`..`\udfff`
 * (22P02), as JSON.stringify writes them (a paired surrogate is written as the character itself).
 * The lookbehind and the even run of backslashes make sure the `\u` is an escape, not the text
 * `\\u0000` (an escaped backslash followed by "u0000").
 */
const UNSTORABLE_ESCAPE = /(?<!\\)((?:\\\\)*)\\u(0000|d[89a-f][0-9a-f]{2})/gi;

/** What a stored result carries when its text had to be escaped to be stored. */
export const ESCAPED_FLAG = '_escaped';

/**
 * JSON text of `value` that jsonb can store. Valid JSON from Anthropic may hold a NUL or a lone
 * surrogate in a string; such an escape is kept as its six characters (`\u0000` becomes the
 * text "\u0000"), so nothing is lost and the line stays readable, and an object is flagged
 * with `_escaped: true`. Everything else is JSON.stringify's text, unchanged.
 */
export function storableJson(value: unknown): { text: string; escaped: boolean } {
  const text = JSON.stringify(value);
  UNSTORABLE_ESCAPE.lastIndex = 0;
  if (!UNSTORABLE_ESCAPE.test(text)) return { text, escaped: false };
  const flagged =
    typeof value === 'object' && value !== null && !Array.isArray(value)
      ? JSON.stringify({ ...value, [ESCAPED_FLAG]: true })
      : text;
  return { text: flagged.replace(UNSTORABLE_ESCAPE, '$1\\\\u$2'), escaped: true };
}

/** Text a Postgres text column can store: NUL characters removed. */
export function storableText(text: string): string {
  return text.includes('\u0000') ? text.replaceAll('\u0000', '') : text;
}
