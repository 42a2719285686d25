import { ValidationError } from '../domain/errors.js';
import { unstorableTextProblem } from '../domain/storable-json.js';

/** Where a page of the delivery log ended: the last row's creation time and id. */
export interface DeliveryCursor {
  createdAt: Date;
  id: string;
}

/** An opaque string for the next page. */
export function encodeDeliveryCursor(cursor: DeliveryCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString(
    'base64url',
  );
}

/** Reads a cursor encodeDeliveryCursor made; anything else is a ValidationError. */
export function decodeDeliveryCursor(cursor: string): DeliveryCursor {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    const date = new Date(createdAt);
    // Only what encodeDeliveryCursor writes: an ISO time of years 0000-9999 (which Postgres
    // can hold) and an id Postgres can compare (no NUL, no lone surrogate).
    if (
      typeof id === 'string' &&
      typeof createdAt === 'string' &&
      /^\d{4}-/.test(createdAt) &&
      !Number.isNaN(date.getTime()) &&
      date.toISOString() === createdAt &&
      unstorableTextProblem(id) === undefined
    ) {
      return { createdAt: date, id };
    }
  } catch {
    // Falls through to the ValidationError below.
  }
  throw new ValidationError('invalid cursor', [
    { path: 'cursor', message: 'not a cursor we gave' },
  ]);
}
