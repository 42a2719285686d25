import { z } from 'zod';
import { parseOrThrow } from './validation.js';

/** A job's priority; a lower number is more urgent and leaves the queue first. */
export const Priority = { CRITICAL: 1, HIGH: 2, NORMAL: 3, LOW: 4, BACKGROUND: 5 } as const;
export type Priority = (typeof Priority)[keyof typeof Priority];

/** The upper-case name of a priority (`'HIGH'`). */
export type PriorityName = keyof typeof Priority;

/** Every priority, most urgent first. */
export const PRIORITIES: readonly Priority[] = Object.values(Priority);

/** Every priority's name, most urgent first: CRITICAL, HIGH, NORMAL, LOW, BACKGROUND. */
export const PRIORITY_NAMES: readonly PriorityName[] = Object.keys(Priority) as PriorityName[];

const NAME_BY_PRIORITY: ReadonlyMap<Priority, PriorityName> = new Map(
  Object.entries(Priority).map(([name, priority]) => [priority, name as PriorityName]),
);
const PRIORITY_BY_NAME: ReadonlyMap<string, Priority> = new Map(Object.entries(Priority));

const PRIORITY_MESSAGE = `must be a priority 1..5 or one of ${[...PRIORITY_BY_NAME.keys()].join(', ')}`;

/** The name of a priority: `priorityName(2) === 'HIGH'`. */
export function priorityName(priority: Priority): PriorityName {
  return NAME_BY_PRIORITY.get(priority)!;
}

/** Whether `value` is one of the numbers 1..5. */
export function isPriority(value: unknown): value is Priority {
  return typeof value === 'number' && NAME_BY_PRIORITY.has(value as Priority);
}

/**
 * A priority from a number 1..5, a numeric string or a name in any case; undefined otherwise
 * (the one rule every reader of a priority applies: the API, the CLI, the environment).
 * @example toPriority('high') // 2
 */
export function toPriority(input: number | string): Priority | undefined {
  if (typeof input === 'number') return isPriority(input) ? input : undefined;
  if (/^[1-5]$/.test(input)) return Number(input) as Priority;
  return PRIORITY_BY_NAME.get(input.toUpperCase());
}

/** A priority as input: a number 1..5, a numeric string, or a name in any case (`'high'`); outputs the number. */
export const PrioritySchema = z
  .union([z.number(), z.string()], { error: PRIORITY_MESSAGE })
  .transform((input, ctx): Priority => {
    const priority = toPriority(input);
    if (priority === undefined) {
      ctx.addIssue({ code: 'custom', message: PRIORITY_MESSAGE, input });
      return z.NEVER;
    }
    return priority;
  });

/**
 * Reads a priority from a number 1..5, a numeric string or a name in any case; throws a ValidationError otherwise.
 * @example parsePriority('high') // 2
 */
export function parsePriority(input: unknown): Priority {
  return parseOrThrow(PrioritySchema, input, 'invalid priority');
}
