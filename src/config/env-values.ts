// The parsers of single environment variables: pure, they never read the environment itself.
import { z } from 'zod';
import { PRIORITY_NAMES, toPriority } from '../domain/priority.js';
import { type ConfiguredApiKey, TENANT_PATTERN } from './config.types.js';

const blankToUndefined = (value: unknown) =>
  typeof value === 'string' && value.trim() === '' ? undefined : value;

/** A variable that may be unset (or blank); `fallback` is parsed like a given value. */
export function withDefault<T extends z.ZodType>(schema: T, fallback: string) {
  return z.preprocess((value) => blankToUndefined(value) ?? fallback, schema);
}

/** A variable that may be unset (or blank): then undefined. */
export function optional<T extends z.ZodType>(schema: T) {
  return z.preprocess(blankToUndefined, schema.optional());
}

/** A positive amount of US dollars, e.g. `25` or `2.50`. */
export const positiveUsd = z
  .string()
  .trim()
  .regex(/^\d+(\.\d+)?$/, 'must be a positive amount of USD, e.g. 25 or 2.50')
  .transform(Number)
  .pipe(z.number().positive('must be more than 0'));

export function wholeNumber(min: number, max = Number.MAX_SAFE_INTEGER) {
  return z
    .string()
    .trim()
    .regex(/^\d+$/, `must be a whole number from ${min} to ${max}`)
    .transform(Number)
    .pipe(z.number().min(min, `must be at least ${min}`).max(max, `must be at most ${max}`));
}

export const priority = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const number = toPriority(value);
    if (number === undefined) {
      ctx.addIssue({
        code: 'custom',
        message: `must be 1..5 or one of ${PRIORITY_NAMES.join(', ')}`,
      });
      return z.NEVER;
    }
    return number;
  });

export const commaList = z.string().transform((value) =>
  value
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

export const apiKeyList = commaList.transform((entries, ctx) => {
  const keys: ConfiguredApiKey[] = [];
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    const tenant = entry.slice(0, colon);
    const key = entry.slice(colon + 1);
    if (colon < 0 || !TENANT_PATTERN.test(tenant) || key.length < 16) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} must be tenant:key (tenant of letters, digits, _ . -; key of at least 16 characters)`,
      });
      return;
    }
    keys.push({ tenant, key });
  });
  return keys;
});

export const httpUrl = z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' });
