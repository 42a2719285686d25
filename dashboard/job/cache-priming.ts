import type { components } from '../api/openapi.generated.js';
import { formatCount } from '../format.js';

type CachePriming = components['schemas']['JobCachePriming'];

/** A job's cache priming in one line. */
export function cachePrimingText(priming: CachePriming): string {
  return (
    `${priming.mode} · ${formatCount(priming.primed)} of ${formatCount(priming.groups)} groups primed · ` +
    `${formatCount(priming.primeBatches)} prime batches · ${formatCount(priming.heldBack)} requests held back · ` +
    'costs one more batch turnaround'
  );
}
