import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ValidationError } from '../../src/domain/errors.js';
import {
  formatIssuePath,
  MAX_REPORTED_ISSUES,
  parseOrThrow,
  zodIssuesToValidationError,
} from '../../src/domain/validation.js';

const Person = z.object({ name: z.string(), friends: z.array(z.object({ age: z.number() })) });

function zodErrorOf(schema: z.ZodType, input: unknown): z.ZodError {
  const result = schema.safeParse(input);
  if (result.success) throw new Error('expected the input to be refused');
  return result.error;
}

describe('formatIssuePath', () => {
  it('joins segments with dots', () => {
    expect(formatIssuePath(['requests', 17, 'custom_id'])).toBe('requests.17.custom_id');
  });

  it('gives the empty string for the root', () => {
    expect(formatIssuePath([])).toBe('');
  });
});

describe('zodIssuesToValidationError', () => {
  it('carries each issue with its dotted path', () => {
    const error = zodIssuesToValidationError(
      zodErrorOf(Person, { name: 1, friends: [{ age: 3 }, { age: 'x' }] }),
      'invalid person',
    );
    expect(error).toBeInstanceOf(ValidationError);
    expect(error.issues.map((issue) => issue.path)).toEqual(['name', 'friends.1.age']);
  });

  it('leads its message with the given message and the first issue', () => {
    const error = zodIssuesToValidationError(
      zodErrorOf(Person, { name: 'a', friends: [{ age: 'x' }] }),
      'invalid person',
    );
    expect(error.message).toMatch(/^invalid person: friends\.0\.age: /);
  });

  it('counts the issues beyond the first in its message', () => {
    const error = zodIssuesToValidationError(
      zodErrorOf(Person, { name: 1, friends: [{ age: 'x' }, { age: 'y' }] }),
      'invalid person',
    );
    expect(error.message).toMatch(/\(and 2 more issues\)$/);
  });

  it('leaves out the path for an issue at the root', () => {
    const error = zodIssuesToValidationError(zodErrorOf(z.string(), 1), 'invalid name');
    expect(error.message).toMatch(/^invalid name: Invalid input/);
    expect(error.issues[0]?.path).toBe('');
  });

  it('keeps at most MAX_REPORTED_ISSUES issues and counts them all in the message', () => {
    const total = MAX_REPORTED_ISSUES + 5;
    const error = zodIssuesToValidationError(
      zodErrorOf(
        z.array(z.string()),
        Array.from({ length: total }, () => 0),
      ),
      'invalid list',
    );
    expect(error.issues).toHaveLength(MAX_REPORTED_ISSUES);
    expect(error.message).toMatch(new RegExp(`\\(and ${total - 1} more issues\\)$`));
  });
});

describe('parseOrThrow', () => {
  it('returns the parsed value', () => {
    expect(parseOrThrow(z.coerce.number(), '4', 'invalid number')).toBe(4);
  });

  it('throws a ValidationError for bad input', () => {
    expect(() => parseOrThrow(z.number(), 'x', 'invalid number')).toThrow(ValidationError);
  });
});
