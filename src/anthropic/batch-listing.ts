import { AnthropicNotFoundError } from '../domain/anthropic.errors.js';
import type {
  CallOptions,
  ListAllBatchesOptions,
  ListBatchesOptions,
  RefreshedBatches,
} from './anthropic-gateway.options.js';
import type { BatchPage, MessageBatch } from './batch.types.js';
import { LIST_LIMITS } from './message-batch.limits.js';

/** The two calls listings are made of: one page of the list, one batch retrieved. */
export interface BatchLookups {
  listBatches(options: ListBatchesOptions): Promise<BatchPage>;
  getBatchStatus(batchId: string, options: CallOptions): Promise<MessageBatch>;
}

/**
 * The size of a list page when `wanted` batches are still to be found, on the `pages`-th page.
 * The batches an instance follows are mostly among the newest, so the first page is a few times
 * their number (not the 1,000 the API allows, which would have every refresh carry the whole
 * recent history); a further page is as large as the API allows, so an old batch costs one call
 * more than before, not many.
 */
export function listPageSize(wanted: number, pages: number): number {
  if (pages > 0) return LIST_LIMITS.max;
  return Math.min(LIST_LIMITS.max, Math.max(LIST_LIMITS.default, 4 * wanted));
}

/**
 * Every batch, newest first, page by page; with `createdAfter`, stops at the first older batch
 * (to reconcile: what did we create since then?).
 */
export async function* listAllBatches(
  lookups: BatchLookups,
  options: ListAllBatchesOptions,
): AsyncGenerator<MessageBatch> {
  const after = options.createdAfter?.getTime();
  let afterId: string | undefined;
  for (;;) {
    const page = await lookups.listBatches({
      limit: options.pageSize ?? LIST_LIMITS.max,
      afterId,
      signal: options.signal,
    });
    for (const batch of page.data) {
      if (after !== undefined && Date.parse(batch.created_at) < after) return;
      yield batch;
    }
    if (!page.hasMore || page.lastId === null) return;
    afterId = page.lastId;
  }
}

/**
 * The current state of many batches at the least cost in calls: list pages (sized by
 * listPageSize) while another page is cheaper than retrieving the rest one by one, then
 * retrieve what the pages did not show.
 */
export async function refreshBatches(
  lookups: BatchLookups,
  ids: Iterable<string>,
  options: CallOptions,
): Promise<RefreshedBatches> {
  const wanted = new Set(ids);
  const batches = new Map<string, MessageBatch>();
  let pages = 0;
  let listed = 0;
  let afterId: string | undefined;
  const most = wanted.size;
  // A page costs one call, like a retrieve, and may show every wanted batch: the first is
  // always worth it; another only while it could show two or more of the rest.
  while (wanted.size > 0 && (pages === 0 || wanted.size > 1) && pages < most) {
    const page = await lookups.listBatches({
      limit: listPageSize(wanted.size, pages),
      afterId,
      signal: options.signal,
    });
    pages += 1;
    listed += page.data.length;
    for (const batch of page.data) {
      if (wanted.delete(batch.id)) batches.set(batch.id, batch);
    }
    if (!page.hasMore || page.lastId === null) break;
    afterId = page.lastId;
  }
  const missing: string[] = [];
  for (const id of wanted) {
    try {
      batches.set(id, await lookups.getBatchStatus(id, options));
    } catch (error) {
      if (!(error instanceof AnthropicNotFoundError)) throw error;
      missing.push(id);
    }
  }
  return { batches, missing, listed };
}
