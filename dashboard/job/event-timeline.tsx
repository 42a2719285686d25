import { useEffect, useState } from 'preact/hooks';
import type { JobEventRecord } from '../api/types.js';
import { formatTime } from '../format.js';
import { actorOf, summarizeEvent } from './event-summary.js';

export interface EventTimelineProps {
  events: JobEventRecord[];
  /** The version shown, or null: now. */
  asOf: number | null;
  onSelect: (version: number | null) => void;
}

/** Every event of the job's log, and a slider and stepper to see the job as of one of them. */
export function EventTimeline({ events, asOf, onSelect }: EventTimelineProps) {
  const last = events.at(-1)?.version ?? 1;
  const selected = asOf ?? last;
  const [dragged, setDragged] = useState(selected);
  useEffect(() => setDragged(selected), [selected]);
  const choose = (version: number) => onSelect(version >= last ? null : Math.max(1, version));

  return (
    <section class="card timeline" aria-labelledby="timeline-title">
      <div class="section-head">
        <h3 id="timeline-title">Event timeline</h3>
        <span class="muted" aria-live="polite" data-testid="timeline-position">
          {asOf === null ? `now (event ${last} of ${last})` : `as of event ${asOf} of ${last}`}
        </span>
      </div>
      <div class="stepper">
        <button
          type="button"
          onClick={() => choose(1)}
          disabled={selected <= 1}
          aria-label="First event"
        >
          «
        </button>
        <button
          type="button"
          onClick={() => choose(selected - 1)}
          disabled={selected <= 1}
          aria-label="Previous event"
        >
          ‹
        </button>
        <input
          type="range"
          min={1}
          max={last}
          step={1}
          value={dragged}
          aria-label="Event"
          aria-valuetext={`event ${dragged} of ${last}`}
          onInput={(event) => setDragged(Number(event.currentTarget.value))}
          onChange={(event) => choose(Number(event.currentTarget.value))}
        />
        <button
          type="button"
          onClick={() => choose(selected + 1)}
          disabled={selected >= last}
          aria-label="Next event"
        >
          ›
        </button>
        <button
          type="button"
          onClick={() => onSelect(null)}
          disabled={asOf === null}
          aria-label="Now"
        >
          »
        </button>
      </div>
      <ol class="events">
        {events.map((event) => (
          <li
            key={event.version}
            class={
              event.version === selected
                ? 'event selected'
                : event.version > selected
                  ? 'event later'
                  : 'event'
            }
          >
            <button
              type="button"
              class="event-button"
              aria-current={event.version === selected ? 'step' : undefined}
              onClick={() => choose(event.version)}
            >
              <span class="event-version">{event.version}</span>
              <span class="event-type">{event.type}</span>
              <span class="event-time">{formatTime(event.recordedAt)}</span>
              <span class="event-instance mono" title={actorOf(event, true)}>
                {actorOf(event)}
              </span>
              <span class="event-summary">{summarizeEvent(event)}</span>
            </button>
          </li>
        ))}
      </ol>
    </section>
  );
}
