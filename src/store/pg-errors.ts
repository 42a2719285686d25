/**
 * Postgres errors we act on, told apart by SQLSTATE (the `code` both pg and PGlite set), and
 * by constraint name where one code covers several causes.
 */
const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  deadlock: '40P01',
} as const;

/**
 * Values Postgres refuses to store or read as their type: NUL in text (22021), a character
 * jsonb cannot hold (22P05), a malformed literal or lone surrogate escape (22P02), a timestamp
 * out of range (22008), a number out of its column's range (22003), a value nested too deeply
 * to parse (54001).
 */
const REFUSED_VALUE_STATES: ReadonlySet<string> = new Set([
  '22021',
  '22P05',
  '22P02',
  '22008',
  '22003',
  '54001',
]);

interface PgError {
  code?: unknown;
  constraint?: unknown;
}

function sqlState(error: unknown): PgError | undefined {
  return typeof error === 'object' && error !== null ? (error as PgError) : undefined;
}

/** A unique index refused the row (of `constraint` only, when named). */
export function isUniqueViolation(error: unknown, constraint?: string): boolean {
  const e = sqlState(error);
  return (
    e?.code === SQLSTATE.uniqueViolation &&
    (constraint === undefined || e.constraint === constraint)
  );
}

/** A foreign key refused the row (of `constraint` only, when named). */
export function isForeignKeyViolation(error: unknown, constraint?: string): boolean {
  const e = sqlState(error);
  return (
    e?.code === SQLSTATE.foreignKeyViolation &&
    (constraint === undefined || e.constraint === constraint)
  );
}

/** Postgres broke a deadlock by failing this transaction: running it again may succeed. */
export function isDeadlock(error: unknown): boolean {
  return sqlState(error)?.code === SQLSTATE.deadlock;
}

/**
 * Postgres refused a value given to it (see REFUSED_VALUE_STATES): bad input that a check at the
 * boundary missed, not a fault of the server. The SQLSTATE, or undefined for any other error.
 */
export function refusedValueState(error: unknown): string | undefined {
  for (let e = sqlState(error), depth = 0; e && depth < 3; depth++) {
    if (typeof e.code === 'string' && REFUSED_VALUE_STATES.has(e.code)) return e.code;
    e = sqlState((e as { cause?: unknown }).cause);
  }
  return undefined;
}
