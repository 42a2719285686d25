/** A JSON value as a merge patch sees it. */
export type JsonValue =
  | null
  | boolean
  | number
  | string
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * Applies a JSON merge patch (RFC 7386) to `target`; pure, `target` is not changed. An object
 * patch merges key by key (`null` removes a key); anything else replaces the target whole.
 * @example applyMergePatch({ model: 'a', max_tokens: 5 }, { max_tokens: 9 }) // { model: 'a', max_tokens: 9 }
 */
export function applyMergePatch(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch)) return patch;
  const result: Record<string, unknown> = isPlainObject(target) ? { ...target } : {};
  for (const [key, value] of Object.entries(patch)) {
    if (value === null) delete result[key];
    else result[key] = applyMergePatch(result[key], value);
  }
  return result;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
