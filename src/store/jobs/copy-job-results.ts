import pg from 'pg';
import type { CopyOut } from '../copy-out.js';
import type { DbOrTrx } from '../schema/index.js';
import { readCopiedLines } from './copy-binary-rows.js';
import {
  iterateResultPages,
  RESULT_TEXT,
  type ResultPageExtent,
  type ResultPageReader,
} from './read-job-results.js';
import type { ResultType } from './request-results.js';

/** A page of results as Postgres sent the lines' bytes. */
interface ResultBytesPage extends ResultPageExtent {
  bytes: number;
  lines: Uint8Array[];
}

/** What the page statement's transaction sets first: see readJobResultsText for why. */
const PAGE_SETUP =
  "select set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)";

/**
 * The page statement of readJobResultsText as a `COPY … (FORMAT binary)`: the same rows,
 * with each line's bytes as Postgres built them. COPY takes no parameters, so they are
 * written in as literals (ids and a tenant name, escaped; whole numbers, checked).
 */
function copyOfPage(
  jobId: string,
  tenant: string,
  range: { afterOrdinal: number; throughOrdinal: number; maxBytes: number },
  type: ResultType | undefined,
): string {
  const whole = (n: number) => {
    if (!Number.isSafeInteger(n)) throw new Error(`not a whole number: ${n}`);
    return String(n);
  };
  const literals: Record<string, string> = {
    1: pg.escapeLiteral(jobId),
    2: pg.escapeLiteral(tenant),
    3: whole(range.afterOrdinal),
    4: type === undefined ? 'null' : pg.escapeLiteral(type),
    5: whole(range.throughOrdinal),
    6: whole(range.maxBytes),
  };
  const page = RESULT_TEXT.text.replace(/\$([1-6])\b/g, (_, n: string) => literals[n]!);
  return `copy (select ordinal::int4, upto::int8, line from (${page}) page order by 1)
          to stdout (format binary)`;
}

/**
 * A tenant's job's final results as NDJSON bytes, one page (about 1 MiB of whole lines) at a
 * time, read by COPY: the lines are never decoded into strings and encoded again, which was
 * most of what serving them cost (pg decodes every text column; UTF-8 encoding, GC). Paged
 * like iterateJobResultsText, whose rows these are.
 */
export async function* iterateJobResultsBytes(
  db: DbOrTrx,
  copyOut: CopyOut,
  tenant: string,
  jobId: string,
  options: { type?: ResultType | undefined; pageBytes?: number } = {},
): AsyncGenerator<Uint8Array> {
  const read: ResultPageReader<ResultBytesPage> = async (range) => {
    const chunks = await copyOut(copyOfPage(jobId, tenant, range, options.type), PAGE_SETUP);
    return readCopiedLines(chunks);
  };
  for await (const page of iterateResultPages(db, tenant, jobId, read, options.pageBytes)) {
    yield Buffer.concat(page.lines);
  }
}
