import { z } from 'zod';
import { MalformedResultLineError } from '../domain/anthropic.errors.js';
import { readLines } from '../support/read-lines.js';
import type { BatchResult } from './batch.types.js';

const resultMessageSchema = z.looseObject({
  id: z.string(),
  type: z.literal('message'),
  role: z.literal('assistant'),
  model: z.string(),
  content: z.array(z.looseObject({ type: z.string() })),
  stop_reason: z.string().nullable(),
  usage: z.looseObject({ input_tokens: z.number(), output_tokens: z.number() }),
});

const batchResultSchema = z.looseObject({
  custom_id: z.string(),
  result: z.discriminatedUnion('type', [
    z.looseObject({ type: z.literal('succeeded'), message: resultMessageSchema }),
    z.looseObject({
      type: z.literal('errored'),
      error: z.looseObject({
        type: z.literal('error'),
        error: z.looseObject({ type: z.string(), message: z.string() }),
      }),
    }),
    z.looseObject({ type: z.literal('canceled') }),
    z.looseObject({ type: z.literal('expired') }),
  ]),
});

/**
 * Reads a JSONL results file from any byte (or text) stream, yielding each
 * result as it arrives: chunks may split lines and characters anywhere, lines
 * may end in CRLF, blank lines are skipped. A line that is not a result throws
 * a MalformedResultLineError naming its line number (from 1).
 * @example for await (const line of parseResults(response.body)) store(line);
 */
export async function* parseResults(
  source: AsyncIterable<Uint8Array | string> | Iterable<Uint8Array | string>,
): AsyncGenerator<BatchResult> {
  const lines = readLines(source, {
    invalidText: (lineNumber) => new MalformedResultLineError(lineNumber, 'not valid UTF-8'),
  });
  for await (const { text, number } of lines) {
    const result = parseResultLine(text, number);
    if (result) yield result;
  }
}

/** One line to a result; undefined for a blank line. */
export function parseResultLine(line: string, lineNumber: number): BatchResult | undefined {
  const text = line.endsWith('\r') ? line.slice(0, -1) : line;
  if (text.trim() === '') return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new MalformedResultLineError(lineNumber, `not JSON (${(error as Error).message})`);
  }
  const parsed = batchResultSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
    throw new MalformedResultLineError(lineNumber, `not a batch result (${where}${issue.message})`);
  }
  return parsed.data as BatchResult;
}
