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

/** A value still to write, with where it sits (a parent chain, so no path array is copied). */
interface Node {
  value: unknown;
  parent: Node | undefined;
  key: PropertyKey | undefined;
}

/** What is left to do: write a value, write fixed text, or leave an object (the cycle check). */
type Task = Node | string | { leave: object };

/**
 * The one JSON text of a value: object keys sorted by UTF-16 code unit at every depth, arrays
 * in order, no whitespace, numbers and strings as JSON.stringify writes them (so the key order
 * and the number and string forms of RFC 8785). Object properties that are undefined are left
 * out, as JSON.stringify does; anything else that is not JSON (undefined in an array, a
 * function, a symbol, a bigint, NaN or an infinity, a Date, Map or other non-plain object, a
 * cycle) throws a ValidationError naming where it was found. Iterative: any depth is written
 * without growing the call stack.
 * @example canonicalJson({ b: 1, a: [true, null] }) // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  const ancestors = new Set<object>();
  const tasks: Task[] = [{ value, parent: undefined, key: undefined }];
  for (let task = tasks.pop(); task !== undefined; task = tasks.pop()) {
    if (typeof task === 'string') out.push(task);
    else if ('leave' in task) ancestors.delete(task.leave);
    else writeValue(task, ancestors, out, tasks);
  }
  return out.join('');
}

/** Writes a primitive, or opens a container and schedules its members (in reverse: a stack). */
function writeValue(node: Node, ancestors: Set<object>, out: string[], tasks: Task[]): void {
  const { value } = node;
  switch (typeof value) {
    case 'string':
    case 'boolean':
      out.push(JSON.stringify(value));
      return;
    case 'number':
      if (!Number.isFinite(value)) throw notJson(node, `${value} is not a JSON number`);
      out.push(JSON.stringify(value));
      return;
    case 'object': {
      if (value === null) {
        out.push('null');
        return;
      }
      if (ancestors.has(value)) throw notJson(node, 'the value contains itself');
      ancestors.add(value);
      tasks.push({ leave: value });
      if (Array.isArray(value)) scheduleArray(value, node, out, tasks);
      else scheduleObject(value, node, out, tasks);
      return;
    }
    default:
      // undefined (in an array or at the top), function, symbol, bigint.
      throw notJson(node, `a ${typeof value} is not a JSON value`);
  }
}

function scheduleArray(items: readonly unknown[], node: Node, out: string[], tasks: Task[]): void {
  out.push('[');
  tasks.push(']');
  for (let i = items.length - 1; i >= 0; i--) {
    tasks.push({ value: items[i], parent: node, key: i });
    if (i > 0) tasks.push(',');
  }
}

function scheduleObject(object: object, node: Node, out: string[], tasks: Task[]): void {
  const prototype = Object.getPrototypeOf(object);
  if (prototype !== Object.prototype && prototype !== null) {
    throw notJson(node, `a ${object.constructor?.name ?? 'non-plain'} object is not a JSON value`);
  }
  const record = object as Record<string, unknown>;
  // Default sort compares UTF-16 code units, which is the order RFC 8785 prescribes.
  const keys = Object.keys(record)
    .sort()
    .filter((key) => record[key] !== undefined);
  out.push('{');
  tasks.push('}');
  for (let i = keys.length - 1; i >= 0; i--) {
    const key = keys[i]!;
    tasks.push({ value: record[key], parent: node, key });
    tasks.push(`${i > 0 ? ',' : ''}${JSON.stringify(key)}:`);
  }
}

function notJson(node: Node, reason: string): ValidationError {
  const path: PropertyKey[] = [];
  for (let at: Node | undefined = node; at?.key !== undefined; at = at.parent) path.push(at.key);
  const where = formatIssuePath(path.reverse());
  return new ValidationError(`not JSON: ${where === '' ? '' : `${where}: `}${reason}`, [
    { path: where, message: reason },
  ]);
}
