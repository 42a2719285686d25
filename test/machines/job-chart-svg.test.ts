import { describe, expect, it } from 'vitest';
import type { JobEvent } from '../../src/domain/job.events.js';
import {
  chartJob,
  describeJobMachine,
  type MachineDefinition,
} from '../../src/machines/job-chart.js';
import { layoutMachine } from '../../src/machines/job-chart.layout.js';
import { drawJobChart, renderChartSvg } from '../../src/machines/job-chart.svg.js';
import { jobCreated } from '../support/job-histories.js';
import { findAll, hasClass, parseSvg, type SvgElement, textOf } from './svg-elements.js';

const at = new Date('2026-03-14T09:00:00.000Z');
const iso = at.toISOString();

/** A job that was submitted twice (a retry) and is collecting its second batch. */
const RETRIED_HISTORY: JobEvent[] = [
  jobCreated('job_chart', at, 1),
  { type: 'JobQueued', data: { at: iso } },
  { type: 'JobStarted', data: { at: iso, instanceId: 'i1' } },
  {
    type: 'BatchSubmissionIntended',
    data: { at: iso, batchKey: 'b1', attempt: 1, requestCount: 1 },
  },
  { type: 'BatchSubmitted', data: { at: iso, batchKey: 'b1', batchId: 'msgbatch_1' } },
  {
    type: 'ProgressRecorded',
    data: {
      at: iso,
      progress: {
        total: 1,
        pending: 0,
        processing: 1,
        completed: 0,
        failed: 0,
        cancelled: 0,
        expired: 0,
        percentComplete: 0,
      },
    },
  },
  { type: 'BatchEnded', data: { at: iso, batchKey: 'b1', batchId: 'msgbatch_1' } },
  {
    type: 'BatchResultsCollected',
    data: {
      at: iso,
      batchKey: 'b1',
      batchId: 'msgbatch_1',
      succeeded: 0,
      errored: 0,
      canceled: 0,
      expired: 0,
      retryable: 1,
      usage: { inputTokens: 5, outputTokens: 0, costUsd: 0.00001 },
    },
  },
  { type: 'RetryScheduled', data: { at: iso, attempt: 2, requestCount: 1, dueAt: iso } },
  {
    type: 'BatchSubmissionIntended',
    data: { at: iso, batchKey: 'b2', attempt: 2, requestCount: 1 },
  },
  { type: 'BatchSubmitted', data: { at: iso, batchKey: 'b2', batchId: 'msgbatch_2' } },
  { type: 'BatchEnded', data: { at: iso, batchKey: 'b2', batchId: 'msgbatch_2' } },
];

function chartOf(events: readonly JobEvent[]) {
  return chartJob(events.map((event, i) => ({ version: i + 1, event, recordedAt: iso })));
}

const isState = (e: SvgElement) => e.name === 'g' && hasClass(e, 'state');
const isEdge = (e: SvgElement) => e.name === 'g' && hasClass(e, 'edge');

function edge(svg: SvgElement, from: string, event: string, to: string) {
  const found = findAll(
    svg,
    (e) =>
      isEdge(e) &&
      e.attributes['data-from'] === from &&
      e.attributes['data-event'] === event &&
      e.attributes['data-to'] === to,
  );
  expect(found, `${from} --${event}--> ${to}`).toHaveLength(1);
  return found[0]!;
}

describe('the job chart drawn as SVG', () => {
  it('draws every state of the job machine once, nested in its parent', async () => {
    const machine = describeJobMachine();
    const svg = parseSvg(await drawJobChart(chartOf(RETRIED_HISTORY), 'job_chart'));
    const states = findAll(svg, isState);
    expect(states.map((s) => s.attributes['data-state']).sort()).toEqual(
      machine.states.map((s) => s.id).sort(),
    );
    for (const state of machine.states.filter((s) => s.parent !== null)) {
      const drawn = states.find((s) => s.attributes['data-state'] === state.id)!;
      expect(drawn.parent?.attributes['data-state']).toBe(state.parent);
    }
  });

  it('draws every transition of the machine as an edge (one that stays inside its state)', async () => {
    const machine = describeJobMachine();
    const svg = parseSvg(await drawJobChart(chartOf(RETRIED_HISTORY)));
    expect(findAll(svg, isEdge)).toHaveLength(machine.transitions.length);
    for (const t of machine.transitions) {
      const drawn = edge(svg, t.from, t.event, t.to ?? t.from);
      const staying = t.to === null || t.to === t.from;
      expect(hasClass(drawn, 'internal')).toBe(staying);
      if (!staying)
        expect(findAll(drawn, (e) => e.name === 'path')[0]?.attributes.d).toMatch(
          /^M[\d.]+,[\d.]+( L[\d.]+,[\d.]+)+$/,
        );
    }
  });

  it('marks the transitions the job took, with how often, and no other', async () => {
    const svg = parseSvg(await drawJobChart(chartOf(RETRIED_HISTORY)));
    const submitted = edge(svg, 'processing.submitting', 'BatchSubmitted', 'processing.waiting');
    expect(hasClass(submitted, 'taken')).toBe(true);
    expect(submitted.attributes['data-count']).toBe('2');
    expect(textOf(findAll(submitted, (e) => hasClass(e, 'edge-label'))[0]!)).toBe(
      'BatchSubmitted ×2',
    );
    const started = edge(svg, 'queued', 'JobStarted', 'processing');
    expect(started.attributes['data-count']).toBe('1');
    expect(textOf(findAll(started, (e) => hasClass(e, 'edge-label'))[0]!)).toBe('JobStarted');
    const progress = edge(svg, 'processing', 'ProgressRecorded', 'processing');
    expect([hasClass(progress, 'taken'), progress.attributes['data-count']]).toEqual([true, '1']);
    const taken = findAll(svg, (e) => isEdge(e) && hasClass(e, 'taken'));
    const total = taken.reduce((sum, e) => sum + Number(e.attributes['data-count']), 0);
    expect(total).toBe(RETRIED_HISTORY.length);
    expect(hasClass(edge(svg, 'paused', 'JobResumed', 'processing'), 'taken')).toBe(false);
    expect(
      edge(svg, 'paused', 'JobResumed', 'processing').attributes['data-count'],
    ).toBeUndefined();
  });

  it('highlights the state the job is in, and only that one', async () => {
    const svg = parseSvg(await drawJobChart(chartOf(RETRIED_HISTORY)));
    const current = findAll(svg, (e) => isState(e) && hasClass(e, 'current'));
    expect(current.map((s) => s.attributes['data-state'])).toEqual(['processing.collecting']);
    const processing = findAll(
      svg,
      (e) => isState(e) && e.attributes['data-state'] === 'processing',
    )[0]!;
    expect(hasClass(processing, 'active')).toBe(true);
    const earlier = parseSvg(await drawJobChart(chartOf(RETRIED_HISTORY.slice(0, 2))));
    expect(
      findAll(earlier, (e) => isState(e) && hasClass(e, 'current')).map(
        (s) => s.attributes['data-state'],
      ),
    ).toEqual(['queued']);
  });

  it('escapes every text it draws, however hostile', async () => {
    const hostile = '<script>alert("x")</script>&\'';
    const machine: MachineDefinition = {
      id: 'm',
      initial: hostile,
      states: [
        { id: hostile, type: 'atomic', parent: null, initial: null },
        { id: 'b', type: 'final', parent: null, initial: null },
      ],
      transitions: [
        { from: hostile, event: `${hostile}Event`, to: 'b', guard: hostile },
        { from: hostile, event: '<img onerror=x>', to: null, guard: null },
      ],
    };
    const source = renderChartSvg(await layoutMachine(machine), {
      current: hostile,
      visited: new Set([hostile]),
      counts: new Map(),
      title: `job ${hostile}`,
    });
    expect(source).not.toContain('<script');
    expect(source).not.toContain('<img');
    const svg = parseSvg(source);
    expect(
      findAll(svg, (e) => isState(e) && hasClass(e, 'current'))[0]?.attributes['data-state'],
    ).toBe(hostile);
    expect(textOf(svg)).toContain(`${hostile}Event [${hostile}]`);
    expect(findAll(svg, (e) => e.name === 'title')[0]!.text).toBe(`job ${hostile}`);
  });

  it('styles by class, light and dark by the system setting', async () => {
    const source = await drawJobChart(chartOf(RETRIED_HISTORY));
    const style = findAll(parseSvg(source), (e) => e.name === 'style')[0]!.text;
    expect(style).toContain('@media (prefers-color-scheme: dark)');
    expect(style).toMatch(/\.state\.current>rect\{/);
    expect(source).not.toMatch(/ style="/);
  });
});
