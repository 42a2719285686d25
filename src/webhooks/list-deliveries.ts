import type { Db, DbOrTrx, WebhookDeliveryAttemptRow } from '../store/schema/index.js';
import { decodeDeliveryCursor, encodeDeliveryCursor } from './delivery-cursor.js';
import {
  rowToWebhookDelivery,
  type WebhookDelivery,
  type WebhookDeliveryStatus,
} from './webhook-views.js';

/** Rows per page unless asked (default: 50); at most MAX_DELIVERY_PAGE. */
export const DEFAULT_DELIVERY_PAGE = 50;
export const MAX_DELIVERY_PAGE = 200;

export interface ListDeliveriesInput {
  tenant: string;
  status?: WebhookDeliveryStatus | undefined;
  jobId?: string | undefined;
  subscriptionId?: string | undefined;
  limit?: number | undefined;
  /** The `nextCursor` of the page before. */
  cursor?: string | undefined;
}

export interface DeliveryPage {
  deliveries: WebhookDelivery[];
  /** Null on the last page. */
  nextCursor: string | null;
}

/** The tenant's delivery log, newest first, each delivery with its attempts. */
export async function listDeliveries(db: Db, input: ListDeliveriesInput): Promise<DeliveryPage> {
  const limit = Math.min(Math.max(1, input.limit ?? DEFAULT_DELIVERY_PAGE), MAX_DELIVERY_PAGE);
  let query = selectDeliveries(db)
    .where('d.tenant', '=', input.tenant)
    .orderBy('d.created_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(limit + 1);
  if (input.status) query = query.where('d.status', '=', input.status);
  if (input.jobId) query = query.where('d.job_id', '=', input.jobId);
  if (input.subscriptionId) query = query.where('d.endpoint_id', '=', input.subscriptionId);
  if (input.cursor) {
    const after = decodeDeliveryCursor(input.cursor);
    query = query.where((eb) =>
      eb(eb.refTuple('d.created_at', 'd.id'), '<', eb.tuple(after.createdAt, after.id)),
    );
  }
  const rows = await query.execute();
  const page = rows.slice(0, limit);
  const attempts = await attemptsOf(
    db,
    page.map((row) => row.id),
  );
  const last = page.at(-1);
  return {
    deliveries: page.map((row) => rowToWebhookDelivery(row, attempts.get(row.id) ?? [])),
    nextCursor:
      rows.length > limit && last
        ? encodeDeliveryCursor({ createdAt: last.created_at, id: last.id })
        : null,
  };
}

/** Deliveries joined to their endpoint's URL and kind. */
export function selectDeliveries(db: DbOrTrx) {
  return db
    .selectFrom('webhook_deliveries as d')
    .innerJoin('webhook_endpoints as e', 'e.id', 'd.endpoint_id')
    .selectAll('d')
    .select(['e.url', 'e.kind as endpoint_kind']);
}

/** Every attempt of these deliveries, grouped by delivery, in order. */
export async function attemptsOf(
  db: DbOrTrx,
  deliveryIds: readonly string[],
): Promise<Map<string, WebhookDeliveryAttemptRow[]>> {
  const byDelivery = new Map<string, WebhookDeliveryAttemptRow[]>();
  if (deliveryIds.length === 0) return byDelivery;
  const rows = await db
    .selectFrom('webhook_delivery_attempts')
    .selectAll()
    .where('delivery_id', 'in', deliveryIds)
    .orderBy('delivery_id')
    .orderBy('attempt_number')
    .execute();
  for (const row of rows) {
    const list = byDelivery.get(row.delivery_id) ?? [];
    list.push(row);
    byDelivery.set(row.delivery_id, list);
  }
  return byDelivery;
}
