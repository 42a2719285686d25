import './live-indicator.css';
import type { FeedState } from './live-feed.js';

const LABELS: Record<FeedState, { text: string; title: string }> = {
  connecting: { text: 'connecting…', title: 'Opening the event feed; the list is read every 2 s.' },
  live: { text: 'live', title: 'Following the event feed: rows change as their jobs do.' },
  reconnecting: {
    text: 'reconnecting…',
    title: 'The event feed dropped; until it is back the list is read every 2 s.',
  },
};

/** Whether the list follows the event feed; `data-cursor`: the newest event the rows show. */
export function LiveIndicator({ state, cursor }: { state: FeedState; cursor: string | null }) {
  const label = LABELS[state];
  return (
    <span
      class={`live-indicator live-${state}`}
      role="status"
      title={label.title}
      data-state={state}
      data-cursor={cursor ?? ''}
    >
      <span class="live-dot" aria-hidden="true" />
      {label.text}
    </span>
  );
}
