import type { z } from 'zod';
import { formatIssuePath } from './validation.js';

/**
 * How deeply JSON input may nest (objects and arrays inside each other): 128 levels. Deeper input
 * is refused where it comes in; walking it (canonical JSON, Postgres's jsonb parser) costs stack.
 */
export const MAX_JSON_DEPTH = 128;

/** One thing Postgres could not store, and where: a path into the value and what is wrong. */
export interface UnstorableJson {
  path: PropertyKey[];
  message: string;
}

const NUL_MESSAGE = 'must not contain NUL (\\u0000)';
const SURROGATE_MESSAGE = 'must not contain a lone UTF-16 surrogate';
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Why Postgres cannot store `text` (in a text column NUL is refused, in jsonb NUL and lone
 * surrogates too), or undefined when it can.
 * @example unstorableTextProblem('a\u0000b') // 'must not contain NUL (\\u0000)'
 */
export function unstorableTextProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return NUL_MESSAGE;
  if (LONE_SURROGATE.test(text)) return SURROGATE_MESSAGE;
  return undefined;
}

interface Pending {
  value: unknown;
  parent: Pending | undefined;
  key: PropertyKey | undefined;
  depth: number;
}

/**
 * The first string or key in a JSON value that Postgres cannot store, or a nesting deeper than
 * `maxDepth` (default: MAX_JSON_DEPTH); undefined when the value is storable. Iterative, so any
 * depth is walked without recursion; each node is visited once.
 * @example findUnstorableJson({ a: ['\u0000'] }) // { path: ['a', 0], message: 'must not contain NUL (\\u0000)' }
 */
export function findUnstorableJson(
  value: unknown,
  maxDepth: number = MAX_JSON_DEPTH,
): UnstorableJson | undefined {
  const stack: Pending[] = [{ value, parent: undefined, key: undefined, depth: 0 }];
  for (let node = stack.pop(); node !== undefined; node = stack.pop()) {
    const current = node.value;
    if (typeof current === 'string') {
      const problem = unstorableTextProblem(current);
      if (problem) return { path: pathOf(node), message: problem };
      continue;
    }
    if (typeof current !== 'object' || current === null) continue;
    const depth = node.depth + 1;
    if (depth > maxDepth) {
      return { path: pathOf(node), message: `nests deeper than ${maxDepth} levels` };
    }
    if (Array.isArray(current)) {
      for (let i = current.length - 1; i >= 0; i--) {
        stack.push({ value: current[i], parent: node, key: i, depth });
      }
      continue;
    }
    const keys = Object.keys(current);
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      const problem = unstorableTextProblem(key);
      if (problem) {
        return { path: [...pathOf(node), key], message: `a key ${problem}` };
      }
      stack.push({ value: (current as Record<string, unknown>)[key], parent: node, key, depth });
    }
  }
  return undefined;
}

function pathOf(node: Pending): PropertyKey[] {
  const path: PropertyKey[] = [];
  for (let at: Pending | undefined = node; at?.key !== undefined; at = at.parent) {
    path.push(at.key);
  }
  return path.reverse();
}

/**
 * A zod `superRefine` check: adds an issue at the first unstorable string, key or nesting.
 * @example z.looseObject({}).superRefine(refineStorableJson)
 */
export function refineStorableJson(value: unknown, ctx: z.RefinementCtx): void {
  const found = findUnstorableJson(value);
  if (found) ctx.addIssue({ code: 'custom', path: found.path, message: found.message });
}

/** A zod `superRefine` check for one string (an id, a filter, a URL). */
export function refineStorableText(text: string, ctx: z.RefinementCtx): void {
  const problem = unstorableTextProblem(text);
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
}

/** The dotted path of a finding, as our errors carry it (`metadata.a.0`). */
export function unstorablePath(found: UnstorableJson, prefix: readonly PropertyKey[] = []): string {
  return formatIssuePath([...prefix, ...found.path]);
}
