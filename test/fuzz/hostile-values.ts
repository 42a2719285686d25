import fc from 'fast-check';

/**
 * Values that have reached Postgres unchecked before, or could: NUL, lone surrogates, numbers
 * past every range, dates Postgres cannot hold, cursors decoding to them, long and empty text.
 */
const HOSTILE_TEXTS = [
  '',
  ' ',
  '\u0000',
  'a\u0000b',
  '\ud800',
  '\ud800x',
  'x\udfff',
  '%00',
  '%',
  '%ED%A0%80',
  '\r\n',
  'é😀',
  '-1',
  '0',
  '1.5',
  '1e400',
  '-1e400',
  '99999999999999999999999999',
  '9223372036854775808',
  'NaN',
  'Infinity',
  'null',
  'true',
  '[]',
  '{}',
  '294277-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-000001-01-01T00:00:00Z',
  '0000-00-00',
  'infinity',
  "' or 1=1 --",
  '../../etc/passwd',
  'x'.repeat(5000),
] as const;

/** The values that made 500s before: NUL, lone surrogates, dates and numbers out of range. */
const KNOWN_CULPRITS = [
  '\u0000',
  'a\u0000b',
  '\ud800x',
  'x\udfff',
  '294277-01-01T00:00:00Z',
  '1e400',
] as const;

/** A cursor as our cursors are made (base64url of JSON) that decodes to something hostile. */
export const hostileCursor = fc
  .tuple(
    fc.constantFrom(...HOSTILE_TEXTS, '2026-01-01T00:00:00.000Z'),
    fc.oneof(fc.constantFrom(...HOSTILE_TEXTS), fc.integer()),
  )
  .chain(([at, id]) =>
    fc.constantFrom(
      JSON.stringify([at, id]),
      JSON.stringify({ t: at, id }),
      JSON.stringify([Number(at), id]),
      JSON.stringify(at),
    ),
  )
  .map((json) => Buffer.from(json, 'utf8').toString('base64url'));

/** Hostile text: the list above, random text (surrogate halves included), or a cursor. */
export const hostileText: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...KNOWN_CULPRITS) },
  { weight: 3, arbitrary: fc.constantFrom(...HOSTILE_TEXTS) },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 40 }) },
  { weight: 1, arbitrary: fc.string({ maxLength: 40 }) },
  { weight: 1, arbitrary: hostileCursor },
);

/** A marker JSON.stringify leaves alone, replaced by raw text afterwards (deep nesting). */
const DEEP_MARKER = '__deep_nesting_marker__';

/** `depth` arrays inside each other: JSON.stringify would overflow the stack writing it. */
export function deeplyNested(depth: number): string {
  return `${'['.repeat(depth)}${']'.repeat(depth)}`;
}

/** A JSON value to put anywhere in a body: hostile text and keys, huge numbers, deep nesting. */
export const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: hostileText },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      1e308,
      -1e308,
      2 ** 63,
      -(2 ** 63),
      Number.MAX_SAFE_INTEGER + 2,
      0.1,
      -0,
      0,
      -1,
    ),
  },
  { weight: 1, arbitrary: fc.constantFrom(null, true, false, [], {}) },
  { weight: 1, arbitrary: hostileText.map((key) => ({ [key]: 'value' })) },
  { weight: 1, arbitrary: fc.constantFrom(DEEP_MARKER) },
  { weight: 1, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
);

/** JSON text of a value, its deep-nesting markers replaced by 10,000 levels of arrays. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replaceAll(`"${DEEP_MARKER}"`, deeplyNested(10_000));
}

/** A path segment or query value as a client would send it (a lone surrogate as its CESU bytes). */
export function encodeComponent(text: string): string {
  try {
    return encodeURIComponent(text);
  } catch {
    // encodeURIComponent refuses lone surrogates: send the bytes a careless client would.
    return text
      .split('')
      .map((c) => {
        const code = c.charCodeAt(0);
        if (code < 0xd800 || code > 0xdfff) return encodeURIComponent(c);
        const bytes = [0xe0 | (code >> 12), 0x80 | ((code >> 6) & 0x3f), 0x80 | (code & 0x3f)];
        return bytes.map((b) => `%${b.toString(16).toUpperCase()}`).join('');
      })
      .join('');
  }
}

/** A header value the Fetch API can send (Latin-1 without controls), often hostile. */
export const hostileHeaderValue: fc.Arbitrary<string> = fc.oneof(
  hostileText.map((text) => text.replace(/[^\x20-\x7e\x80-\xff]/g, '')),
  fc.string({
    unit: fc
      .integer({ min: 0x20, max: 0xff })
      .filter((code) => code !== 0x7f)
      .map((code) => String.fromCharCode(code)),
    maxLength: 300,
  }),
);

/**
 * `base` with one place changed: a member set to a hostile value (a new key or an existing one,
 * at any depth), or the whole value replaced.
 */
export function mutated(base: unknown): fc.Arbitrary<unknown> {
  const paths = pathsOf(base);
  return fc
    .tuple(fc.constantFrom(...paths), fc.option(hostileText, { nil: undefined }), hostileJson)
    .map(([path, newKey, value]) => setAt(structuredClone(base), path, newKey, value));
}

type Path = (string | number)[];

function pathsOf(value: unknown, at: Path = []): Path[] {
  const paths: Path[] = [at];
  if (Array.isArray(value)) {
    value.forEach((item, i) => {
      paths.push(...pathsOf(item, [...at, i]));
    });
  } else if (value !== null && typeof value === 'object') {
    for (const [key, item] of Object.entries(value)) paths.push(...pathsOf(item, [...at, key]));
  }
  return paths;
}

function setAt(root: unknown, path: Path, newKey: string | undefined, value: unknown): unknown {
  if (path.length === 0 && newKey === undefined) return value;
  let parent = root as Record<string | number, unknown>;
  for (const segment of path.slice(0, -1)) parent = parent[segment] as typeof parent;
  const last = path.at(-1);
  if (newKey !== undefined) {
    const target = last === undefined ? parent : parent[last];
    if (target !== null && typeof target === 'object' && !Array.isArray(target)) {
      (target as Record<string, unknown>)[newKey] = value;
      return root;
    }
  }
  if (last === undefined) return value;
  parent[last] = value;
  return root;
}
