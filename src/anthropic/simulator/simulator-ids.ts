import { createHash, randomBytes } from 'node:crypto';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const SEQUENCE_WIDTH = 8;

/**
 * A batch id that carries its creation sequence (`msgbatch_01` + 8 base62 digits
 * + 14 random), so a list cursor still has a place after its batch is deleted,
 * and ids from two simulator runs never collide.
 */
export function newBatchId(sequence: number): string {
  return `msgbatch_01${toBase62(sequence, SEQUENCE_WIDTH)}${randomBase62(14)}`;
}

/** The creation sequence inside a batch id, or undefined when the id is not one of ours. */
export function sequenceOfBatchId(id: string): number | undefined {
  const match = /^msgbatch_01([0-9A-Za-z]{8})[0-9A-Za-z]{14}$/.exec(id);
  if (!match) return undefined;
  let value = 0;
  for (const char of match[1]!) value = value * 62 + BASE62.indexOf(char);
  return value;
}

/** A fresh `request-id`. */
export function newRequestId(): string {
  return `req_01${randomBase62(22)}`;
}

/** An id inside a result line (`msg_...`, `req_...`): the same on every read of the same results file. */
export function resultLineId(prefix: 'msg' | 'req', batchId: string, index: number): string {
  const digest = createHash('sha256').update(`${prefix}:${batchId}:${index}`).digest();
  let id = `${prefix}_01`;
  for (let i = 0; i < 22; i++) id += BASE62[digest[i]! % 62];
  return id;
}

function toBase62(value: number, width: number): string {
  let out = '';
  let rest = value;
  for (let i = 0; i < width; i++) {
    out = BASE62[rest % 62] + out;
    rest = Math.floor(rest / 62);
  }
  return out;
}

function randomBase62(length: number): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += BASE62[byte % 62];
  return out;
}
