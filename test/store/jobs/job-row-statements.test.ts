import { describe, expect, it } from 'vitest';
import { evolve } from '../../../src/domain/job.state.js';
import { JOB_FENCE, JOB_ROW_CHANGE_COLUMNS } from '../../../src/store/jobs/job-row-statements.js';
import { jobRow } from '../../../src/store/jobs/project-job.js';
import { created } from '../../domain/job-specification.js';

describe('the job row statements built once', () => {
  it('write every column of the job row but its id and tenant, in jobRow’s order', () => {
    const row = jobRow(evolve(null, created()), 'queued', 1);
    const { id: _id, tenant: _tenant, ...changes } = row;
    expect([...JOB_ROW_CHANGE_COLUMNS]).toEqual(Object.keys(changes));
  });

  it('number their parameters without gaps, in each variant', () => {
    const params = (text: string) => [...text.matchAll(/\$(\d+)/g)].map((m) => Number(m[1]));
    const changes = JOB_ROW_CHANGE_COLUMNS.length;
    const counts = Object.fromEntries(
      Object.entries(JOB_FENCE).map(([name, statement]) => [
        name,
        Math.max(...params(statement.text)),
      ]),
    );
    expect(counts).toEqual({
      plain: changes + 2,
      abandoned: changes + 3,
      batches: changes + 2 + 11,
      both: changes + 3 + 11,
    });
    for (const statement of Object.values(JOB_FENCE)) {
      const used = new Set(params(statement.text));
      expect(used.size).toBe(Math.max(...used));
    }
  });
});
