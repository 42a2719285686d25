import { useEffect, useRef, useState } from 'preact/hooks';
import { getText, query } from '../api/api-client.js';
import { ErrorLine } from '../ui/error-line.js';
import { svgNodeOf } from '../ui/svg-drawing.js';
import { usePolled } from '../ui/use-polled.js';

export interface StateChartProps {
  jobId: string;
  asOf: number | null;
  /** Changes when the job moved on: the chart is drawn again. */
  version: string;
}

/**
 * The job machine as the server draws it (SVG from describeJobMachine, laid out by elkjs), the
 * current state highlighted and the path taken marked; inserted as DOM, the old drawing kept
 * until the new one is in (no jump).
 */
export function StateChart({ jobId, asOf, version }: StateChartProps) {
  const path = `/v1/jobs/${encodeURIComponent(jobId)}/chart${query({ format: 'svg', asOf })}`;
  const svg = usePolled(
    (signal) => getText(path, 'image/svg+xml', signal),
    `${path}|${version}`,
    0,
  );
  const box = useRef<HTMLElement>(null);
  useEffect(() => {
    if (!box.current || svg.data === undefined) return;
    const node = svgNodeOf(svg.data);
    if (!node) {
      box.current.textContent = 'The chart could not be read.';
      return;
    }
    box.current.replaceChildren(node);
    centreOnCurrent(box.current);
  }, [svg.data]);
  const [fit, setFit] = useState(false);

  return (
    <section class="card chart" aria-labelledby="chart-title">
      <div class="section-head">
        <h3 id="chart-title">State chart</h3>
        <span class="chart-legend">
          <span class="legend-current" aria-hidden="true">
            current state
          </span>
          <span class="legend-taken" aria-hidden="true">
            path taken
          </span>
          <button type="button" aria-pressed={fit} onClick={() => setFit(!fit)}>
            Fit to width
          </button>
        </span>
      </div>
      <ErrorLine message={svg.error} />
      <section
        ref={box}
        class={fit ? 'state-chart fit' : 'state-chart'}
        data-as-of={asOf ?? 'now'}
        // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrolled drawing must take focus to be scrolled by keyboard
        tabIndex={0}
        aria-label={asOf === null ? 'The state chart, now' : `The state chart as of event ${asOf}`}
      />
    </section>
  );
}

/** Scrolls the drawing (not the page) so the current state is in view. */
function centreOnCurrent(box: HTMLElement): void {
  const current = box.querySelector('.state.current');
  if (!current) return;
  const area = box.getBoundingClientRect();
  const target = current.getBoundingClientRect();
  box.scrollLeft += target.left - area.left - (area.width - target.width) / 2;
  box.scrollTop += target.top - area.top - (area.height - target.height) / 2;
}
