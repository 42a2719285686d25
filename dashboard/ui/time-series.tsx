import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export interface Series {
  label: string;
  values: number[];
  /** A CSS custom property holding the line colour, e.g. `--chart-1`. */
  colorVar: string;
  format?: (n: number) => string;
}

export interface TimeSeriesProps {
  title: string;
  /** Unix seconds, one per point. */
  times: number[];
  series: Series[];
  height?: number;
}

function cssColor(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A small uPlot line chart that fills its container's width. */
export function TimeSeries({ title, times, series, height = 160 }: TimeSeriesProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = series.map((s) => s.label).join('|');

  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const axis = {
      stroke: cssColor('--muted'),
      grid: { stroke: cssColor('--grid') },
      ticks: { stroke: cssColor('--grid') },
    };
    const yFormat = series[0]?.format;
    const options: uPlot.Options = {
      width: Math.max(element.clientWidth, 200),
      height,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      axes: [
        axis,
        {
          ...axis,
          size: 64,
          values: (_u: uPlot, splits: number[]) =>
            splits.map((v) => (yFormat ? yFormat(v) : String(v))),
        },
      ],
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: cssColor(s.colorVar),
          width: 2,
          ...(s.format
            ? { value: (_u: uPlot, v: number | null) => (v === null ? '–' : s.format!(v)) }
            : {}),
        })),
      ],
    };
    const chart = new uPlot(options, [times, ...series.map((s) => s.values)], element);
    plot.current = chart;
    const resize = new ResizeObserver(() =>
      chart.setSize({ width: Math.max(element.clientWidth, 200), height }),
    );
    resize.observe(element);
    return () => {
      resize.disconnect();
      chart.destroy();
      plot.current = null;
    };
    // Rebuilt only when the series change shape; new data goes through setData below.
  }, [shape, height]);

  useEffect(() => {
    plot.current?.setData([times, ...series.map((s) => s.values)]);
  }, [times, series]);

  return (
    <figure class="chart-card">
      <figcaption>{title}</figcaption>
      <div ref={box} class="chart-box" style={{ minHeight: `${height + 40}px` }} />
    </figure>
  );
}
