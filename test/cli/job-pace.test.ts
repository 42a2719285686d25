import { describe, expect, it } from 'vitest';
import { JobPace, paceText } from '../../src/cli/job-pace.js';

const START = 1_000_000;

describe('the pace of a watched job', () => {
  it('estimates the time left from the pace seen since watching began', () => {
    const pace = new JobPace(START);
    pace.observe(START, 'processing', 0);
    pace.observe(START + 10_000, 'processing', 100);
    // 100 requests in 10 s: the 300 left take 30 s.
    expect(pace.view(START + 10_000, 100, 400)).toEqual({
      elapsedMs: 10_000,
      pausedMs: 0,
      paused: false,
      etaMs: 30_000,
    });
  });

  it('has no estimate before anything is done', () => {
    const pace = new JobPace(START);
    pace.observe(START, 'processing', 0);
    expect(pace.view(START + 5_000, 0, 10).etaMs).toBeUndefined();
    expect(paceText(pace.view(START + 5_000, 0, 10))).toBe('elapsed 5s, ETA estimating');
  });

  it('shows a paused job as paused, with no estimate', () => {
    const pace = new JobPace(START);
    pace.observe(START, 'processing', 0);
    pace.observe(START + 10_000, 'processing', 100);
    pace.observe(START + 12_000, 'paused', 100);
    const view = pace.view(START + 52_000, 100, 400);
    expect(view).toMatchObject({ paused: true, pausedMs: 40_000, etaMs: undefined });
    expect(paceText(view)).toBe('elapsed 52s (40s paused), paused');
  });

  it('leaves the time spent paused out of the estimate once resumed', () => {
    const pace = new JobPace(START);
    pace.observe(START, 'processing', 0);
    pace.observe(START + 5_000, 'paused', 50);
    pace.observe(START + 65_000, 'processing', 50);
    pace.observe(START + 70_000, 'processing', 100);
    // 100 requests in 10 s of work (60 s paused left out): the 100 left take 10 s.
    expect(pace.view(START + 70_000, 100, 200)).toMatchObject({
      elapsedMs: 70_000,
      pausedMs: 60_000,
      paused: false,
      etaMs: 10_000,
    });
  });

  it('falls back on the pace since the job started when nothing moved while watched', () => {
    const pace = new JobPace(START);
    pace.observe(START + 20_000, 'processing', 50);
    // 50 done in the 20 s since the start: the 50 left take 20 s more.
    expect(pace.view(START + 20_000, 50, 100).etaMs).toBe(20_000);
  });

  it('says nothing is left once every request is done', () => {
    const pace = new JobPace(START);
    pace.observe(START + 1_000, 'completed', 10);
    expect(paceText(pace.view(START + 1_000, 10, 10))).toBe('elapsed 1s, ETA 0s');
  });
});
