import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventsFeedRoutes } from '../../src/http/events-feed.routes.js';
import type { DatabaseHandle } from '../../src/store/create-database.js';
import { appendToStream } from '../../src/store/event-store.js';
import type { Db } from '../../src/store/schema/index.js';
import { API_KEYS } from '../http/jobs-harness.js';
import { buildTestApp } from '../http/test-app.js';
import { openTestDatabase, testPostgresUrl } from '../support/database.js';

type Tenant = (typeof API_KEYS)[number]['tenant'];
interface FeedEvent {
  cursor: string;
  jobId: string;
  version: number;
  type: string;
  data: { n: number };
  hash: string | null;
}

const auth = (tenant: Tenant) => ({
  authorization: `Bearer ${API_KEYS.find((k) => k.tenant === tenant)!.key}`,
});

const appendAs = (db: Db, tenant: Tenant, stream: string, expected: number, n: number) =>
  db.transaction().execute((trx) =>
    appendToStream(trx, stream, expected, [{ type: 'Counted', data: { n } }], {
      instanceId: 'writer',
      tenant,
    }),
  );

/** Reads a followed NDJSON feed until `until` says stop, then hangs up. */
async function follow(
  response: Response,
  until: (events: FeedEvent[]) => boolean,
): Promise<FeedEvent[]> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: FeedEvent[] = [];
  let buffered = '';
  try {
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffered += value;
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) if (line !== '') events.push(JSON.parse(line) as FeedEvent);
    }
  } finally {
    await reader.cancel();
  }
  return events;
}

describe('GET /v1/events: the tenant’s feed', () => {
  let database: DatabaseHandle;
  let app: ReturnType<typeof buildTestApp>['app'];
  beforeAll(async () => {
    database = await openTestDatabase({ poolSize: 30 });
    ({ app } = buildTestApp(database, {
      apiKeys: [...API_KEYS],
      routes: [eventsFeedRoutes({ db: database.db, pollIntervalMs: 10, heartbeatMs: 50 })],
    }));
  });
  afterAll(() => database.close());

  const get = (path: string, tenant: Tenant = 'acme', headers: Record<string, string> = {}) =>
    app.request(path, { headers: { ...auth(tenant), ...headers } });

  it('pages through a tenant’s events with the cursor it answers, and shows no other tenant’s', async () => {
    for (let n = 1; n <= 3; n++) await appendAs(database.db, 'acme', 'paged-acme', n - 1, n);
    await appendAs(database.db, 'globex', 'paged-globex', 0, 1);
    const first = await get('/v1/events?limit=2');
    expect(first.status).toBe(200);
    const page = (await first.json()) as { events: FeedEvent[]; next: string };
    expect(page.events.map((e) => [e.jobId, e.version])).toEqual([
      ['paged-acme', 1],
      ['paged-acme', 2],
    ]);
    expect(page.events[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
    const second = (await (await get(`/v1/events?after=${page.next}`)).json()) as {
      events: FeedEvent[];
    };
    expect(second.events.map((e) => [e.jobId, e.version])).toEqual([['paged-acme', 3]]);
    const globex = (await (await get('/v1/events', 'globex')).json()) as { events: FeedEvent[] };
    expect(globex.events.map((e) => e.jobId)).toEqual(['paged-globex']);
  });

  it('refuses a cursor it did not give with a 400 naming `after`', async () => {
    const response = await get('/v1/events?after=bm90LWEtY3Vyc29y');
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { message: string } };
    expect(body.error.message).toContain('after');
  });

  it('resumes a followed SSE feed from Last-Event-ID, after the event it names', async () => {
    await appendAs(database.db, 'acme', 'sse-resume', 0, 1);
    await appendAs(database.db, 'acme', 'sse-resume', 1, 2);
    const page = (await (await get('/v1/events?limit=1000')).json()) as { events: FeedEvent[] };
    const first = page.events.find((e) => e.jobId === 'sse-resume' && e.version === 1)!;
    const controller = new AbortController();
    const response = await app.request('/v1/events?follow=true', {
      headers: { ...auth('acme'), 'last-event-id': first.cursor },
      signal: controller.signal,
    });
    expect(response.headers.get('content-type')).toContain('text/event-stream');
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('"jobId":"sse-resume","version":2')) text += (await reader.read()).value;
    controller.abort();
    await reader.cancel();
    expect(text).not.toContain('"jobId":"sse-resume","version":1');
    // The SSE id is the event's cursor, so a reconnecting EventSource resumes after it.
    const cursor = /"cursor":"([^"]+)"/.exec(text)![1];
    expect(text).toContain(`\nid: ${cursor}\n`);
  });

  it('skips nothing and repeats nothing while writers commit out of position order', async (context) => {
    if (!testPostgresUrl()) context.skip('needs transactions open at the same time: Postgres only');
    const { db } = database;
    const start = (await (await get('/v1/events?limit=1000', 'globex')).json()) as {
      next: string;
    };
    const response = await get(
      `/v1/events?follow=true&format=ndjson&after=${start.next}`,
      'globex',
    );
    const WRITERS = 6;
    const EACH = 25;
    const total = WRITERS * EACH + 1;
    const reading = follow(response, (events) => events.length >= total);

    // A transaction that takes a position first and commits last: everything committed
    // meanwhile must wait for it, then come after it.
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let appended!: () => void;
    const heldAppended = new Promise<void>((resolve) => {
      appended = resolve;
    });
    const holder = db.transaction().execute(async (trx) => {
      await appendToStream(trx, 'held-open', 0, [{ type: 'Counted', data: { n: 0 } }], {
        instanceId: 'holder',
        tenant: 'globex',
      });
      appended();
      await held;
    });
    await heldAppended;
    const writers = Array.from({ length: WRITERS }, async (_, w) => {
      for (let n = 1; n <= EACH; n++) await appendAs(db, 'globex', `writer-${w}`, n - 1, n);
    });
    await Promise.all(writers);
    release();
    await holder;
    const events = await reading;

    const keys = events.map((e) => `${e.jobId}@${e.version}`);
    expect(new Set(keys).size).toBe(keys.length);
    expect(keys.length).toBe(total);
    for (let w = 0; w < WRITERS; w++) {
      expect(events.filter((e) => e.jobId === `writer-${w}`).map((e) => e.version)).toEqual(
        Array.from({ length: EACH }, (_, i) => i + 1),
      );
    }
    // The held transaction's event is first: it began before every other writer.
    expect(keys[0]).toBe('held-open@1');
  });

  it('answers `after=end` with no events and the cursor after the newest, however long the log', async () => {
    const many = Array.from({ length: 300 }, (_, i) => ({ type: 'Counted', data: { n: i } }));
    for (let round = 0; round < 5; round++) {
      await appendToStream(database.db, 'long-log', round * 300, many, {
        instanceId: 'writer',
        tenant: 'acme',
      });
    }
    await appendAs(database.db, 'globex', 'long-log-globex', 0, 1);
    const response = await get('/v1/events?after=end');
    expect(response.status).toBe(200);
    const end = (await response.json()) as { events: FeedEvent[]; next: string };
    expect(end.events).toEqual([]);
    // Nothing of either tenant lies beyond it: all 1,500 events are behind, found without paging.
    for (const tenant of ['acme', 'globex'] as const) {
      const after = (await (await get(`/v1/events?after=${end.next}`, tenant)).json()) as {
        events: FeedEvent[];
      };
      expect(after.events).toEqual([]);
    }
    await appendAs(database.db, 'acme', 'after-the-end', 0, 1);
    const next = (await (await get(`/v1/events?after=${end.next}`)).json()) as {
      events: FeedEvent[];
    };
    expect(next.events.map((e) => `${e.jobId}@${e.version}`)).toEqual(['after-the-end@1']);
  });

  it('follows from `after=end` with only the events written afterwards', async () => {
    await appendAs(database.db, 'acme', 'before-following', 0, 1);
    const response = await get('/v1/events?follow=true&format=ndjson&after=end');
    expect(response.status).toBe(200);
    const reading = follow(response, (events) => events.length >= 2);
    await appendAs(database.db, 'acme', 'while-following', 0, 1);
    await appendAs(database.db, 'globex', 'while-following-globex', 0, 1);
    await appendAs(database.db, 'acme', 'while-following', 1, 2);
    const events = await reading;
    expect(events.map((e) => `${e.jobId}@${e.version}`)).toEqual([
      'while-following@1',
      'while-following@2',
    ]);
  });

  it('opens an SSE feed from `after=end` with the end cursor as its first id', async () => {
    const { next } = (await (await get('/v1/events?after=end')).json()) as { next: string };
    const controller = new AbortController();
    const response = await app.request('/v1/events?follow=true&after=end', {
      headers: auth('acme'),
      signal: controller.signal,
    });
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    let text = '';
    while (!text.includes('\n\n')) text += (await reader.read()).value;
    controller.abort();
    await reader.cancel();
    // An EventSource that reconnects before any event sends it back as Last-Event-ID.
    expect(text.startsWith(`id: ${next}\n\n`)).toBe(true);
  });

  it('still delivers, after `after=end`, an event of a transaction that began before and commits after', async (context) => {
    if (!testPostgresUrl()) context.skip('needs transactions open at the same time: Postgres only');
    const { db } = database;
    await appendAs(db, 'acme', 'before-the-holder', 0, 1);
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    let appended!: () => void;
    const heldAppended = new Promise<void>((resolve) => {
      appended = resolve;
    });
    const holder = db.transaction().execute(async (trx) => {
      await appendToStream(trx, 'late-commit', 0, [{ type: 'Counted', data: { n: 0 } }], {
        instanceId: 'holder',
        tenant: 'acme',
      });
      appended();
      await held;
    });
    await heldAppended;
    // Committed while the holder runs: after it in commit-safe order, so not passed either.
    await appendAs(db, 'acme', 'committed-meanwhile', 0, 1);
    const { next } = (await (await get('/v1/events?after=end')).json()) as { next: string };
    const response = await get(`/v1/events?follow=true&format=ndjson&after=${next}`);
    const reading = follow(response, (events) => events.some((e) => e.jobId === 'marker'));
    release();
    await holder;
    await appendAs(db, 'acme', 'marker', 0, 1);
    const events = await reading;
    expect(events.map((e) => `${e.jobId}@${e.version}`)).toEqual([
      'late-commit@1',
      'committed-meanwhile@1',
      'marker@1',
    ]);
  });
});
