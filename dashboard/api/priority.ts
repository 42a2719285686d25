// A copy of src/domain/priority.ts's names for the browser bundle: that module builds zod
// schemas, and importing it would bundle zod (~440 kB minified; the whole dashboard is ~100 kB).
// test/browser/api-copies.test.ts checks that the copy and the domain's names agree.

/** A priority's name by its number (the API sends the number, 1 most urgent). */
export const PRIORITY_NAMES: Readonly<Record<number, string>> = {
  1: 'CRITICAL',
  2: 'HIGH',
  3: 'NORMAL',
  4: 'LOW',
  5: 'BACKGROUND',
};
