import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JobsApiHarness, request } from './jobs-harness.js';

describe('GET /v1/jobs?q=: a text search over ids, tags and metadata values', () => {
  let api: JobsApiHarness;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    api = await JobsApiHarness.open({ manager: { worker: false } });
    const jobs = {
      nightly: { tags: ['nightly-run', 'team:search'], metadata: { owner: 'Ada Lovelace' } },
      invoices: { tags: ['billing'], metadata: { batch: { region: 'EU-West', year: 2026 } } },
      percent: { tags: ['misc'], metadata: { note: '100% done', flag: true } },
      plain: { tags: [], metadata: { owner: 'Grace' } },
    };
    for (const [name, options] of Object.entries(jobs)) {
      ids[name] = (await api.createJob({ requests: [request(name)], ...options })).id;
    }
    await api.createJob({ requests: [request('other')], metadata: { owner: 'Ada' } }, 'globex');
  });
  afterAll(() => api.close());

  async function found(q: string, extra = ''): Promise<string[]> {
    const response = await api.call('GET', `/v1/jobs?q=${encodeURIComponent(q)}${extra}`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { jobs: { id: string }[]; total: number };
    expect(page.total).toBe(page.jobs.length);
    return page.jobs.map((job) => job.id).sort();
  }

  const named = (...names: string[]) => names.map((name) => ids[name]!).sort();

  it('finds a job by a prefix of its id, in any case', async () => {
    const id = ids.invoices!;
    expect(await found(id.slice(0, id.length - 2).toUpperCase())).toEqual(named('invoices'));
  });

  it('does not match the middle of an id', async () => {
    expect(await found(ids.invoices!.slice(6))).toEqual([]);
  });

  it('finds jobs by part of a tag, in any case', async () => {
    expect(await found('NIGHTLY')).toEqual(named('nightly'));
    expect(await found('team:sea')).toEqual(named('nightly'));
  });

  it('finds jobs by part of a metadata value at any depth, numbers and booleans too', async () => {
    expect(await found('lovelace')).toEqual(named('nightly'));
    expect(await found('eu-west')).toEqual(named('invoices'));
    expect(await found('2026')).toEqual(named('invoices'));
    expect(await found('true')).toEqual(named('percent'));
  });

  it('does not match metadata keys', async () => {
    expect(await found('region')).toEqual([]);
  });

  it('reads % and _ as themselves, not as patterns', async () => {
    expect(await found('100%')).toEqual(named('percent'));
    expect(await found('%')).toEqual(named('percent'));
    expect(await found('_')).toEqual([]);
  });

  it("keeps to the caller's jobs and combines with the other filters", async () => {
    expect(await found('ada')).toEqual(named('nightly'));
    expect(await found('eu', '&tags=billing')).toEqual(named('invoices'));
    expect(await found('eu', '&tags=misc')).toEqual([]);
  });

  it('treats a blank q as no search', async () => {
    expect(await found('  ')).toHaveLength(4);
  });

  it('refuses a q longer than 200 characters, naming it', async () => {
    const response = await api.call('GET', `/v1/jobs?q=${'x'.repeat(201)}`);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { issues: [{ path: 'q' }] } });
  });
});
