/**
 * Postgres errors we act on, told apart by SQLSTATE (the `code` both pg and PGlite set), and
 * by constraint name where one code covers several causes.
 */
const SQLSTATE = {
  uniqueViolation: '23505',
  foreignKeyViolation: '23503',
  deadlock: '40P01',
} as const;

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
