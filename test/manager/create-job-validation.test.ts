import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/domain/clock.js';
import { ValidationError } from '../../src/domain/errors.js';
import { SHIPPED_PRICE_TABLE } from '../../src/domain/pricing.js';
import { readEventData } from '../../src/store/event-store.js';
import { request, TestBed, waitForStatus } from '../support/manager.js';

// The rules come from https://platform.claude.com/docs/en/api/versioning,
// https://platform.claude.com/docs/en/build-with-claude/batch-processing,
// https://platform.claude.com/docs/en/about-claude/models/overview and
// https://platform.claude.com/docs/en/about-claude/model-deprecations.

let bed: TestBed;
beforeAll(async () => {
  bed = await TestBed.open();
});
afterEach(async () => {
  await bed.closeManagers();
});
afterAll(async () => {
  await bed.close();
});

const withParams = (n: number | string, extra: Record<string, unknown>) => {
  const item = request(n);
  return { ...item, params: { ...item.params, ...extra } };
};

// https://platform.claude.com/docs/en/build-with-claude/mid-conversation-system-messages
const HELLO = { role: 'user', content: 'Hello' };
const SYSTEM_MESSAGE = { role: 'system', content: 'Answer in French from now on.' };

async function refusal(promise: Promise<unknown>): Promise<ValidationError> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return error as ValidationError;
}

describe('createJob checks every request before anything is spent', () => {
  it('refuses a job with temperature under 2026-10-21, naming the request, the field, why and what to do', async () => {
    const manager = bed.manager({ worker: false });
    const before = bed.simulator.stats().batchesCreated;
    const error = await refusal(
      manager.createJob({ requests: [request(1), withParams('warm', { temperature: 0.5 })] }),
    );
    expect(error.status).toBe(400);
    expect(error.issues).toEqual([
      {
        path: 'requests.1.params.temperature',
        message:
          'custom_id "req-warm": temperature is not accepted under anthropic-version 2026-10-21, ' +
          'whatever its value (Anthropic: "temperature: Extra inputs are not permitted"); ' +
          'remove temperature, or pin anthropic-version 2023-06-01 for this job',
      },
    ]);
    expect(error.message).toMatch(/^1 of 2 requests would be refused by Anthropic/);
    expect((await manager.listJobs()).total).toBe(0);
    expect(bed.simulator.stats().batchesCreated).toBe(before);
  });

  const RULES: Array<[string, Record<string, unknown>, string]> = [
    ['top_p (2026-10-21)', { top_p: 0.9 }, 'top_p'],
    ['top_k (2026-10-21)', { top_k: 3 }, 'top_k'],
    [
      'a document in an assistant message (2026-10-21)',
      {
        messages: [
          { role: 'user', content: 'a' },
          {
            role: 'assistant',
            content: [
              { type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'd' } },
            ],
          },
          { role: 'user', content: 'b' },
        ],
      },
      'messages.1.content.0',
    ],
    [
      'citations on user text (2026-10-21)',
      {
        messages: [
          {
            role: 'user',
            content: [{ type: 'text', text: 't', citations: [{ type: 'char_location' }] }],
          },
        ],
      },
      'messages.0.content.0.citations',
    ],
    ['speed (batches)', { speed: 'fast' }, 'speed'],
    ['store (batches)', { store: true }, 'store'],
    ['cache_hint (batches)', { cache_hint: { type: 'auto' } }, 'cache_hint'],
    ['an unknown model', { model: 'claude-nonesuch-9' }, 'model'],
    ['max_tokens over the model limit', { max_tokens: 10_000_000 }, 'max_tokens'],
    [
      'a system message on a model before Claude Opus 4.8 (mid-conversation system messages)',
      { model: 'claude-opus-4-6', messages: [HELLO, SYSTEM_MESSAGE] },
      'messages.1.role',
    ],
    [
      'a system message that does not follow a user turn',
      { messages: [HELLO, { role: 'assistant', content: 'Hi' }, SYSTEM_MESSAGE] },
      'messages.2',
    ],
  ];
  for (const [what, extra, field] of RULES) {
    it(`refuses ${what}`, async () => {
      const manager = bed.manager({ worker: false });
      const error = await refusal(manager.createJob({ requests: [withParams('x', extra)] }));
      expect(error.issues.map((issue) => issue.path)).toEqual([`requests.0.params.${field}`]);
    });
  }

  it('names the first 100 invalid requests and counts them all', async () => {
    const manager = bed.manager({ worker: false });
    const requests = [
      request('ok'),
      ...Array.from({ length: 150 }, (_, i) => withParams(i, { top_k: 1 })),
    ];
    const error = await refusal(manager.createJob({ requests }));
    expect(error.issues).toHaveLength(100);
    expect(error.issues[0]!.path).toBe('requests.1.params.top_k');
    expect(error.message).toMatch(
      /^150 of 151 requests would be refused .*\(the first 100 are listed\)/,
    );
  });

  it('refuses a retired model, judged on the manager clock, listing the current models', async () => {
    const clock = new ManualClock(new Date('2026-12-01T12:00:00Z'));
    const manager = bed.manager({ worker: false, clock });
    const error = await refusal(
      manager.createJob({ requests: [withParams(1, { model: 'claude-sonnet-4-5' })] }),
    );
    expect(error.issues[0]!.message).toContain('model claude-sonnet-4-5 was retired on 2026-11-30');
    expect(error.issues[0]!.message).toContain('use one of claude-opus-5-5, claude-sonnet-5-5');
    expect(error.issues[0]!.message).not.toContain('claude-sonnet-4-20250514');
  });
});

describe('the job’s API version', () => {
  it('sends a job pinned to 2023-06-01 under that version, temperature and all, and records it', async () => {
    const manager = bed.manager();
    const job = await manager.createJob({
      anthropicVersion: '2023-06-01',
      requests: [withParams('warm', { temperature: 0.5 }), request(2)],
    });
    const done = await waitForStatus(manager, job.id, ['completed', 'failed']);
    expect(done.progress).toMatchObject({ completed: 2, failed: 0 });
    expect(await readEventData(bed.database.db, job.id, 1)).toMatchObject({
      anthropicVersion: '2023-06-01',
    });
  });

  it('takes the manager’s anthropicVersion for a job that names none', async () => {
    const manager = bed.manager({ anthropicVersion: '2023-06-01', worker: false });
    const job = await manager.createJob({ requests: [withParams(1, { top_p: 0.5 })] });
    expect(await readEventData(bed.database.db, job.id, 1)).toMatchObject({
      anthropicVersion: '2023-06-01',
    });
  });

  it('resubmits the errored requests of a 2023-06-01 job under 2023-06-01', async () => {
    bed.simulator.setFaults({ erroredResultRates: { overloaded_error: 0.5 } });
    try {
      const manager = bed.manager({ retryAttempts: 8, retryDelayMs: 0 });
      const requests = Array.from({ length: 6 }, (_, i) => withParams(`t${i}`, { temperature: 0 }));
      const job = await manager.createJob({ anthropicVersion: '2023-06-01', requests });
      const done = await waitForStatus(manager, job.id, ['completed', 'failed']);
      expect(done.progress).toMatchObject({ completed: 6, failed: 0 });
      expect(done.retryCount).toBeGreaterThan(0);
    } finally {
      bed.simulator.setFaults({ erroredResultRates: { overloaded_error: 0 } });
    }
  });
});

describe('onInvalid: "drop"', () => {
  it('records the invalid requests as errored at once and sends only the rest', async () => {
    const manager = bed.manager();
    const received = bed.simulator.stats().requestsReceived;
    const job = await manager.createJob({
      onInvalid: 'drop',
      requests: [request(1), withParams('hot', { temperature: 1 }), request(3)],
    });
    expect(job.totalRequests).toBe(3);
    const done = await waitForStatus(manager, job.id, ['completed', 'failed']);
    expect(done.progress).toMatchObject({ completed: 2, failed: 1 });
    expect(bed.simulator.stats().requestsReceived - received).toBe(2);
    const results = await manager.getJobResults(job.id);
    expect(results?.results['req-hot']).toMatchObject({
      result: {
        type: 'errored',
        error: {
          type: 'error',
          error: {
            type: 'invalid_request_error',
            message: 'temperature: Extra inputs are not permitted',
          },
        },
      },
    });
    expect(results?.results['req-1']).toMatchObject({ result: { type: 'succeeded' } });
  });

  it('still refuses a job with no valid request left', async () => {
    const manager = bed.manager({ worker: false });
    const error = await refusal(
      manager.createJob({ onInvalid: 'drop', requests: [withParams(1, { top_k: 2 })] }),
    );
    expect(error.message).toMatch(/^every request would be refused/);
  });
});

describe('the model catalogue', () => {
  it('is read from GET /v1/models: a model the endpoint lists is accepted though the shipped list lacks it', async () => {
    const custom = await TestBed.open({
      models: [
        {
          id: 'claude-custom-1',
          display_name: 'Custom',
          created_at: '2026-11-01T00:00:00Z',
          lifecycle: 'active',
          deprecated_at: null,
          retires_at: null,
          max_tokens: 1000,
          max_input_tokens: 10_000,
        },
      ],
    });
    try {
      const manager = custom.manager({ worker: false });
      await expect(
        manager.createJob({ requests: [withParams(1, { model: 'claude-custom-1' })] }),
      ).resolves.toMatchObject({ status: 'queued' });
      const error = await refusal(
        manager.createJob({ requests: [withParams(2, { model: 'claude-opus-5-5' })] }),
      );
      expect(error.issues[0]!.message).toContain('use one of claude-custom-1');
    } finally {
      await custom.close();
    }
  });
});

describe('the price table', () => {
  it('costs a job of a model it does not price as unknown (null), never 0', async () => {
    const custom = await TestBed.open({
      models: [
        {
          id: 'claude-unpriced-1',
          display_name: 'Unpriced',
          created_at: '2026-11-01T00:00:00Z',
          lifecycle: 'active',
          deprecated_at: null,
          retires_at: null,
          max_tokens: 1000,
          max_input_tokens: null,
        },
      ],
    });
    try {
      const manager = custom.manager();
      const job = await manager.createJob({
        requests: [withParams(1, { model: 'claude-unpriced-1' })],
      });
      const done = await waitForStatus(manager, job.id, ['completed', 'failed']);
      expect(done.usage.inputTokens).toBeGreaterThan(0);
      expect(done.usage.costUsd).toBeNull();
    } finally {
      await custom.close();
    }
  });

  it('costs a job’s results with the table the manager was given', async () => {
    const table = {
      ...SHIPPED_PRICE_TABLE,
      batchDiscount: 0.5,
      models: [
        {
          label: 'test',
          match: ['sonnet-5-5'],
          prices: { input: 1_000_000, output: 2_000_000, cacheWrite: 0, cacheRead: 0 },
        },
      ],
    };
    const manager = bed.manager({ priceTable: table });
    const job = await manager.createJob({ requests: [request('priced')] });
    const done = await waitForStatus(manager, job.id, ['completed', 'failed']);
    const { inputTokens, outputTokens, costUsd } = done.usage;
    expect(inputTokens).toBeGreaterThan(0);
    expect(costUsd).toBeCloseTo((inputTokens * 1 + outputTokens * 2) * 0.5, 6);
  });
});

describe('mid-conversation system messages', () => {
  it('sends a request with a system message right after a user turn to a model that takes it', async () => {
    const manager = bed.manager();
    const job = await manager.createJob({
      requests: [withParams('fr', { model: 'claude-opus-4-8', messages: [HELLO, SYSTEM_MESSAGE] })],
    });
    const done = await waitForStatus(manager, job.id, ['completed', 'failed']);
    expect(done.progress).toMatchObject({ completed: 1, failed: 0 });
  });

  it('says what to do with a system message on a model that refuses it', async () => {
    const manager = bed.manager({ worker: false });
    const error = await refusal(
      manager.createJob({
        requests: [
          withParams(1, { model: 'claude-sonnet-4-6', messages: [HELLO, SYSTEM_MESSAGE] }),
        ],
      }),
    );
    expect(error.issues[0]!.message).toContain(
      `(Anthropic: "role 'system' is not supported on this model")`,
    );
    expect(error.issues[0]!.message).toContain(
      'move the instructions into the top-level system field, or use one of claude-opus-5-5',
    );
  });
});
