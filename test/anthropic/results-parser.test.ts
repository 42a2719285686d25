import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { BatchResult } from '../../src/anthropic/index.js';
import { parseResults } from '../../src/anthropic/index.js';
import { MalformedResultLineError } from '../../src/domain/anthropic.errors.js';
import { collect } from './simulator-harness.js';

const customId = fc.stringMatching(/^[a-zA-Z0-9_-]{1,64}$/);

const succeeded = fc.record({
  type: fc.constant('succeeded' as const),
  message: fc.record({
    id: fc.string({ minLength: 1, maxLength: 10 }).map((s) => `msg_${s}`),
    type: fc.constant('message' as const),
    role: fc.constant('assistant' as const),
    model: fc.constantFrom('claude-a', 'claude-b'),
    // Any Unicode, emoji and other multi-byte characters included, so chunk cuts fall inside them.
    content: fc.array(
      fc.record({ type: fc.constant('text'), text: fc.string({ unit: 'binary' }) }),
      {
        maxLength: 2,
      },
    ),
    stop_reason: fc.constantFrom('end_turn', 'max_tokens'),
    usage: fc.record({ input_tokens: fc.nat(), output_tokens: fc.nat() }),
  }),
});

const errored = fc.record({
  type: fc.constant('errored' as const),
  error: fc.record({
    type: fc.constant('error' as const),
    error: fc.record({
      type: fc.constantFrom('invalid_request_error', 'overloaded_error', 'api_error'),
      message: fc.string({ unit: 'binary' }),
    }),
  }),
});

const batchResult: fc.Arbitrary<BatchResult> = fc.record({
  custom_id: customId,
  result: fc.oneof(
    succeeded,
    errored,
    fc.constant({ type: 'canceled' as const }),
    fc.constant({ type: 'expired' as const }),
  ),
});

/** How one line is written: its line ending, and blank lines before it. */
const layout = fc.record({
  ending: fc.constantFrom('\n', '\r\n'),
  blanksBefore: fc.array(fc.constantFrom('\n', '\r\n', '   \n', '\t\r\n'), { maxLength: 2 }),
});

/** A file's bytes cut at arbitrary offsets, as a network would deliver them. */
async function* chunked(bytes: Uint8Array, cuts: number[]): AsyncGenerator<Uint8Array> {
  const offsets = [...new Set(cuts.map((cut) => cut % (bytes.length + 1)))].sort((a, b) => a - b);
  let from = 0;
  for (const offset of [...offsets, bytes.length]) {
    yield bytes.subarray(from, offset);
    from = offset;
  }
}

function writeFile(
  lines: string[],
  layouts: { ending: string; blanksBefore: string[] }[],
  trailingNewline: boolean,
): { text: string; lineNumbers: number[] } {
  let text = '';
  let lineNumber = 0;
  const lineNumbers: number[] = [];
  lines.forEach((line, i) => {
    const { ending, blanksBefore } = layouts[i % layouts.length] ?? {
      ending: '\n',
      blanksBefore: [],
    };
    for (const blank of blanksBefore) {
      text += blank;
      lineNumber += 1;
    }
    lineNumber += 1;
    lineNumbers.push(lineNumber);
    text += line + (i < lines.length - 1 || trailingNewline ? ending : '');
  });
  return { text, lineNumbers };
}

describe('parseResults', () => {
  it('reads back every result however the bytes are chunked, with CRLF and blank lines', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchResult, { maxLength: 12 }),
        fc.array(layout, { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 30 }),
        async (results, layouts, trailingNewline, cuts) => {
          const { text } = writeFile(
            results.map((r) => JSON.stringify(r)),
            layouts,
            trailingNewline,
          );
          const bytes = new TextEncoder().encode(text);
          expect(await collect(parseResults(chunked(bytes, cuts)))).toEqual(results);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('names the line number of the first malformed line, having yielded the ones before it', async () => {
    const malformed = fc.constantFrom(
      'not json at all',
      '{"custom_id": "a", "result": {"type": "succeeded"',
      '{"custom_id": 7, "result": {"type": "canceled"}}',
      '{"custom_id": "a", "result": {"type": "vanished"}}',
      '{"custom_id": "a", "result": {"type": "errored", "error": {"type": "error"}}}',
      '[1, 2, 3]',
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(batchResult, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        malformed,
        fc.array(layout, { minLength: 1, maxLength: 3 }),
        fc.array(fc.nat(), { maxLength: 20 }),
        async (results, at, bad, layouts, cuts) => {
          const index = at % (results.length + 1);
          const lines = results.map((r) => JSON.stringify(r));
          lines.splice(index, 0, bad);
          const { text, lineNumbers } = writeFile(lines, layouts, true);
          const seen: BatchResult[] = [];
          const error = await (async () => {
            for await (const result of parseResults(
              chunked(new TextEncoder().encode(text), cuts),
            )) {
              seen.push(result);
            }
          })().catch((e) => e);
          expect(error).toBeInstanceOf(MalformedResultLineError);
          expect(error.lineNumber).toBe(lineNumbers[index]);
          expect(seen).toEqual(results.slice(0, index));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('reads a last line that has no newline', async () => {
    const line = '{"custom_id":"a","result":{"type":"expired"}}';
    expect(await collect(parseResults([line]))).toEqual([
      { custom_id: 'a', result: { type: 'expired' } },
    ]);
  });

  it('yields nothing for an empty stream', async () => {
    expect(await collect(parseResults([]))).toEqual([]);
  });

  it('refuses bytes that are not UTF-8, naming the line', async () => {
    const good = new TextEncoder().encode('{"custom_id":"a","result":{"type":"canceled"}}\n');
    const bad = Uint8Array.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]);
    const error = await collect(parseResults([good, bad])).catch((e) => e);
    expect(error).toBeInstanceOf(MalformedResultLineError);
    expect(error.lineNumber).toBe(2);
    expect(error.message).toMatch(/UTF-8/);
  });

  it('refuses a stream that ends inside a multi-byte character', async () => {
    const cutEuro = Uint8Array.from([0x22, 0xe2, 0x82]);
    const error = await collect(parseResults([cutEuro])).catch((e) => e);
    expect(error).toBeInstanceOf(MalformedResultLineError);
  });
});
