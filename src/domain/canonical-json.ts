import { ValidationError } from './errors.js';
import { formatIssuePath } from './validation.js';

/** A JSON value, as JSON.parse returns it. */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { [key: string]: JsonValue };

/**
 * The one JSON text of a value: object keys sorted by UTF-16 code unit at every depth, arrays
 * in order, no whitespace, numbers and strings as JSON.stringify writes them (so the key order
 * and the number and string forms of RFC 8785). Object properties that are undefined are left
 * out, as JSON.stringify does; anything else that is not JSON (undefined in an array, a
 * function, a symbol, a bigint, NaN or an infinity, a Date, Map or other non-plain object, a
 * cycle) throws a ValidationError naming where it was found.
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const parts: string[] = [];
  write(value, [], new Set(), parts);
  return parts.join('');
}

function write(value: unknown, path: PropertyKey[], ancestors: Set<object>, out: string[]): void {
  switch (typeof value) {
    case 'string':
    case 'boolean':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      if (!Number.isFinite(value)) throw notJson(path, `${value} is not a JSON number`);
      out.push(JSON.stringify(value));
      return;
    case 'object':
      if (value === null) {
        out.push('null');
        return;
      }
      if (ancestors.has(value)) throw notJson(path, 'the value contains itself');
      ancestors.add(value);
      if (Array.isArray(value)) writeArray(value, path, ancestors, out);
      else writeObject(value, path, ancestors, out);
      ancestors.delete(value);
      return;
    default:
      // undefined (in an array or at the top), function, symbol, bigint.
      throw notJson(path, `a ${typeof value} is not a JSON value`);
  }
}

function writeArray(
  items: readonly unknown[],
  path: PropertyKey[],
  ancestors: Set<object>,
  out: string[],
): void {
  out.push('[');
  for (let i = 0; i < items.length; i++) {
    if (i > 0) out.push(',');
    path.push(i);
    write(items[i], path, ancestors, out);
    path.pop();
  }
  out.push(']');
}

function writeObject(
  object: object,
  path: PropertyKey[],
  ancestors: Set<object>,
  out: string[],
): void {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    throw notJson(path, `a ${object.constructor?.name ?? 'non-plain'} object is not a JSON value`);
  }
  const record = object as Record<string, unknown>;
  out.push('{');
  let first = true;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
  for (const key of Object.keys(record).sort()) {
    const member = record[key];
    if (member === undefined) continue;
    if (!first) out.push(',');
    first = false;
    out.push(JSON.stringify(key), ':');
    path.push(key);
    write(member, path, ancestors, out);
    path.pop();
  }
  out.push('}');
}

function notJson(path: PropertyKey[], reason: string): ValidationError {
  const where = formatIssuePath(path);
  return new ValidationError(`not JSON: ${where === '' ? '' : `${where}: `}${reason}`, [
    { path: where, message: reason },
  ]);
}
