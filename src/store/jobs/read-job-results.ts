import { sql } from 'kysely';
import { PreparedStatement } from '../prepared-statements.js';
import type { DbOrTrx, Trx } from '../schema/index.js';
import type { ResultType } from './request-results.js';

/** One line of a job's results, in Anthropic's shape plus where it came from. */
export interface JobResultLine {
  ordinal: number;
  custom_id: string;
  result: { type: ResultType; [key: string]: unknown };
  _deduplicated?: true;
  _originalJobId?: string;
}

export interface ResultPageOptions {
  /** The page starts after this request ordinal (-1: from the first). */
  afterOrdinal: number;
  /** At most this many lines. */
  limit: number;
  /** Only results of this type (default: all). */
  type?: ResultType | undefined;
}

// The job's requests in order (its primary key), each joined to its final outcome, a duplicate
// to its original's, by one index probe (request_results_final). The probe is a LATERAL
// subquery with a LIMIT so the planner cannot turn it into a hash join over every result of
// every job (it did, for a page of 1,000 out of 100,000). A request without a final outcome yet
// (a partial download) has no line. `exists` is a one-time check that the job is the tenant's:
// another tenant's job id reads as no lines at all.
// Parameters: $1 job id, $2 tenant, $3 after ordinal, $4 type or null; each statement adds its
// own bound on the requests, in order.
const REQUESTS_WITH_OUTCOMES = `
  from job_requests r
  cross join lateral (
    select x.result, x.result_type
    from request_results x
    where x.job_id = coalesce(r.original_job_id, r.job_id)
      and x.ordinal = coalesce(r.original_ordinal, r.ordinal)
      and x.final
      and ($4::text is null or x.result_type = $4::text)
    limit 1
  ) x
  where r.job_id = $1 and r.ordinal > $3
    and exists (select 1 from jobs j where j.id = $1 and j.tenant = $2)`;

const RESULT_ROWS = new PreparedStatement<{
  ordinal: number;
  custom_id: string;
  result: JobResultLine['result'];
  original_job_id: string | null;
}>(
  'batchkeeper_job_result_rows',
  `select r.ordinal, r.custom_id, x.result, r.original_job_id ${REQUESTS_WITH_OUTCOMES}
   order by r.ordinal
   limit $5`,
);

/**
 * A page of a tenant's job's final results in request order, as objects (the stored JSON
 * parsed); a duplicate carries its original's outcome. Another tenant's job has none.
 */
export async function readJobResults(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
  options: ResultPageOptions,
): Promise<JobResultLine[]> {
  const { rows } = await db.executeQuery(
    RESULT_ROWS.bind([jobId, tenant, options.afterOrdinal, options.type ?? null, options.limit]),
  );
  return rows.map((row) => ({
    ordinal: row.ordinal,
    custom_id: row.custom_id,
    result: row.result,
    ...(row.original_job_id
      ? { _deduplicated: true as const, _originalJobId: row.original_job_id }
      : {}),
  }));
}

/** A page of results as NDJSON text. */
export interface ResultTextPage {
  /** Whole lines, each ending in `\n`; empty when the page has none. */
  text: string;
  /** How many lines. */
  lines: number;
  /** Their UTF-8 bytes. */
  bytes: number;
  /** The ordinal of the last line, or null for none. */
  lastOrdinal: number | null;
}

/** A result line as Postgres builds it, from request `r` and outcome `x`. */
const resultLine = (r: string, x: string) => `
  '{"custom_id":' || to_json(${r}.custom_id)::text || ',"result":' || ${x}.result::text ||
  case when ${r}.original_job_id is null then '}'
       else ',"_deduplicated":true,"_originalJobId":' || to_json(${r}.original_job_id)::text || '}'
  end || chr(10)`;

// Each line is built by Postgres from the stored jsonb's own text (`result::text`, so the
// result keeps jsonb's spacing: `{"type": "succeeded", ...}`), never parsed and serialised
// again in node. The page is the requests after $3 up to $5 (a range of ordinals, so the next
// page can be asked for before this one is back): those with their own outcome by a merge of
// the two primary keys over the range, duplicates by a probe each for their original's (a
// third less time than a probe for every line, measured). It stops at the line that takes it
// past $6 bytes (the running sum `upto`), so a page of huge results stays near $6; its first
// line is always in, however long. (Lines as rows joined in node cost less than one
// string_agg'd value: measured on 100,000 results.) $1, $2 and $4 as above.
export const RESULT_TEXT = new PreparedStatement<{ ordinal: number; line: string; upto: number }>(
  'batchkeeper_job_result_text',
  `select ordinal, line, upto
   from (
     select ordinal, line, sum(octet_length(line)) over (order by ordinal) as upto
     from (
       select r.ordinal, ${resultLine('r', 'x')} as line
       from job_requests r
       join request_results x on x.job_id = r.job_id and x.ordinal = r.ordinal and x.final
       where r.job_id = $1 and r.ordinal > $3 and r.ordinal <= $5 and r.original_job_id is null
         and x.job_id = $1 and x.ordinal > $3 and x.ordinal <= $5
         and ($4::text is null or x.result_type = $4::text)
       union all
       select r.ordinal, ${resultLine('r', 'x')} as line
       from job_requests r
       cross join lateral (
         select x.result
         from request_results x
         where x.job_id = r.original_job_id and x.ordinal = r.original_ordinal and x.final
           and ($4::text is null or x.result_type = $4::text)
         limit 1
       ) x
       where r.job_id = $1 and r.ordinal > $3 and r.ordinal <= $5
         and r.original_job_id is not null
     ) lines
     where exists (select 1 from jobs j where j.id = $1 and j.tenant = $2)
   ) sized
   where upto - octet_length(line) < $6
   order by ordinal`,
);

/**
 * The final results of a tenant's job's requests after `afterOrdinal` up to `throughOrdinal`,
 * in request order, as NDJSON text, about `maxBytes` at most (the page ends with the line that
 * passes them). Another tenant's job has none.
 */
export async function readJobResultsText(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
  options: {
    afterOrdinal: number;
    throughOrdinal: number;
    maxBytes: number;
    type?: ResultType | undefined;
  },
): Promise<ResultTextPage> {
  const query = RESULT_TEXT.bind([
    jobId,
    tenant,
    options.afterOrdinal,
    options.type ?? null,
    options.throughOrdinal,
    options.maxBytes,
  ]);
  // A job's results are read soon after they were written, before autovacuum has analysed
  // them: on estimates of a row or two the planner joins the two ranges by a nested loop that
  // scans the whole range of results again for each request (1,291 lines took 1.3 s, 1.7
  // million rows looked at). Without nested loops for the page's own results it merges the two
  // primary keys, as it does with fresh statistics; the duplicates' probes stay nested loops
  // (a LATERAL with LIMIT has no other plan). A disabled plan costs 10^10, which would make
  // Postgres JIT-compile the statement (0.9 s under load, for a 1 ms merge): JIT off too.
  // Both are set for the transaction only (set_config's is_local): safe behind a pooler.
  const { rows } = await inTransaction(db, async (trx) => {
    await sql`select set_config('enable_nestloop', 'off', true), set_config('jit', 'off', true)`.execute(
      trx,
    );
    return trx.executeQuery(query);
  });
  let text = '';
  for (const row of rows) text += row.line;
  const last = rows.at(-1);
  return {
    text,
    lines: rows.length,
    bytes: last ? Number(last.upto) : 0,
    lastOrdinal: last ? last.ordinal : null,
  };
}

/** Runs `work` in the caller's transaction, or in one of its own. */
export function inTransaction<T>(db: DbOrTrx, work: (trx: Trx) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db as Trx) : db.transaction().execute(work);
}

/** The highest request ordinal of a tenant's job; undefined for none or another tenant's job. */
async function findLastOrdinal(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
): Promise<number | undefined> {
  const row = await db
    .selectFrom('jobs as j')
    .select((eb) =>
      eb
        .selectFrom('job_requests as r')
        .select((inner) => inner.fn.max('r.ordinal').as('m'))
        .whereRef('r.job_id', '=', 'j.id')
        .as('last_ordinal'),
    )
    .where('j.id', '=', jobId)
    .where('j.tenant', '=', tenant)
    .executeTakeFirst();
  return row?.last_ordinal ?? undefined;
}

/** A page's byte budget (default for iterateJobResultsText): 1 MiB. */
const PAGE_BYTES = 1024 * 1024;
const FIRST_PAGE_REQUESTS = 1_000;
const MOST_PAGE_REQUESTS = 10_000;
const FEWEST_PAGE_REQUESTS = 16;

/** What the pager needs of a page, however its lines are held. */
export interface ResultPageExtent {
  /** The page's bytes (the `upto` of its last line). */
  bytes: number;
  /** The ordinal of its last line, or null for none. */
  lastOrdinal: number | null;
}

/** Reads the results of the requests after `afterOrdinal` through `throughOrdinal`, about `maxBytes`. */
export type ResultPageReader<P> = (range: {
  afterOrdinal: number;
  throughOrdinal: number;
  maxBytes: number;
}) => Promise<P>;

/**
 * A tenant's job's final results as NDJSON text, one page (about 1 MiB of whole lines) at a
 * time; nothing for another tenant's job (see iterateResultPages).
 */
export async function* iterateJobResultsText(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
  options: { type?: ResultType | undefined; pageBytes?: number } = {},
): AsyncGenerator<string> {
  const read: ResultPageReader<ResultTextPage> = (range) =>
    readJobResultsText(db, tenant, jobId, { ...range, type: options.type });
  for await (const page of iterateResultPages(db, tenant, jobId, read, options.pageBytes)) {
    if (page.text !== '') yield page.text;
  }
}

/**
 * The pages of a tenant's job's final results, each about `pageBytes` (1 MiB) of whole lines;
 * nothing for another tenant's job. Pages are ranges of request ordinals, so the next
 * two are read while the caller has this one, on two connections: Postgres builds one while
 * node takes in the other. No more than that: a slow caller makes it hold three pages (3 MiB)
 * however large the job. No
 * cursor and no connection is held between pages, so the lines are those final when each page
 * was read; results are insert-only, so no line is read twice or changes. A page cut short by
 * its byte budget is followed by the rest of its range; how many requests a page covers follows
 * the bytes they took so far.
 */
export async function* iterateResultPages<P extends ResultPageExtent>(
  db: DbOrTrx,
  tenant: string,
  jobId: string,
  readPage: ResultPageReader<P>,
  pageBytes: number = PAGE_BYTES,
): AsyncGenerator<P> {
  const lastOrdinal = await findLastOrdinal(db, tenant, jobId);
  if (lastOrdinal === undefined) return;
  const maxBytes = pageBytes;
  const read = (afterOrdinal: number, throughOrdinal: number) => {
    const page = readPage({ afterOrdinal, throughOrdinal, maxBytes });
    // Read ahead, it may be dropped unread (the caller went away): its failure is not unhandled.
    page.catch(() => {});
    return { afterOrdinal, throughOrdinal, page };
  };
  let span = FIRST_PAGE_REQUESTS;
  let readThrough = -1;
  const readNext = () => {
    const from = readThrough;
    readThrough = Math.min(lastOrdinal, readThrough + span);
    return read(from, readThrough);
  };
  const pending = [readNext()];
  if (readThrough < lastOrdinal) pending.push(readNext());
  while (pending.length > 0) {
    const head = pending.shift()!;
    const page = await head.page;
    const cut =
      page.lastOrdinal !== null && page.lastOrdinal < head.throughOrdinal && page.bytes >= maxBytes;
    const covered = (cut ? page.lastOrdinal! : head.throughOrdinal) - head.afterOrdinal;
    span = Math.max(
      FEWEST_PAGE_REQUESTS,
      Math.min(
        MOST_PAGE_REQUESTS,
        Math.floor((0.75 * maxBytes * covered) / Math.max(page.bytes, 1)),
      ),
    );
    // The rest of a cut range comes before the ranges after it.
    if (cut) pending.unshift(read(page.lastOrdinal!, head.throughOrdinal));
    while (pending.length < 2 && readThrough < lastOrdinal) pending.push(readNext());
    if (page.lastOrdinal !== null) yield page;
  }
}
