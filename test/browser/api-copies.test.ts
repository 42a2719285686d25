import { describe, expect, it } from 'vitest';
import { JOB_STATUSES, TERMINAL_STATUSES } from '../../dashboard/api/job-status.js';
import { PRIORITY_NAMES } from '../../dashboard/api/priority.js';
import * as domainStatus from '../../src/domain/job-status.js';
import { PRIORITIES, priorityName } from '../../src/domain/priority.js';

describe("the dashboard's copies of the domain's lists", () => {
  it('lists every job status of the domain, and no other', () => {
    expect([...JOB_STATUSES].sort()).toEqual([...domainStatus.JOB_STATUSES].sort());
  });

  it("takes the terminal statuses to be the domain's", () => {
    expect([...TERMINAL_STATUSES].sort()).toEqual([...domainStatus.TERMINAL_STATUSES].sort());
  });

  it('names every priority as the domain does', () => {
    expect(PRIORITY_NAMES).toEqual(
      Object.fromEntries(PRIORITIES.map((priority) => [priority, priorityName(priority)])),
    );
  });
});
