import type { KyselyPlugin } from 'kysely';
import type { Db } from '../../src/store/schema/index.js';

/** `db` with a count of the statements run through it (every query kysely executes). */
export function countingDb(db: Db): { db: Db; statements: () => number } {
  let count = 0;
  const plugin: KyselyPlugin = {
    transformQuery: (args) => args.node,
    transformResult: async (args) => {
      count += 1;
      return args.result;
    },
  };
  return { db: db.withPlugin(plugin), statements: () => count };
}
