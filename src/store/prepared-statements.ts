import {
  CompiledQuery,
  type PostgresCursor,
  type PostgresPool,
  type PostgresPoolClient,
} from 'kysely';
import type pg from 'pg';

/** Statement text → the name each connection prepares it under. */
const namesByText = new Map<string, string>();

/**
 * A statement on the hot path: on a real Postgres each connection parses and
 * plans it once and from then on only binds and executes it. Elsewhere (PGlite)
 * it runs like any other query. The text must be static: one name, one text.
 */
export class PreparedStatement<Row> {
  constructor(
    readonly name: string,
    readonly text: string,
  ) {
    const known = namesByText.get(text);
    if (known !== undefined && known !== name) {
      throw new Error(`statement text already prepared as ${known}, not ${name}`);
    }
    namesByText.set(text, name);
  }

  /** The statement with its parameters, to run with `db.executeQuery`. */
  bind(parameters: unknown[]): CompiledQuery<Row> {
    return CompiledQuery.raw(this.text, parameters) as CompiledQuery<Row>;
  }
}

/**
 * The pool kysely talks to: the same pg clients, except that the text of a
 * PreparedStatement goes out as a named statement (node-postgres remembers,
 * per connection, which names it has parsed). A statement's plan is replanned
 * by Postgres itself when the tables under it change.
 */
export function preparingPool(pool: pg.Pool): PostgresPool {
  const wrappers = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const wrap = (client: pg.PoolClient): PostgresPoolClient => {
    let wrapper = wrappers.get(client);
    if (!wrapper) {
      const query = (
        textOrCursor: string | PostgresCursor<unknown>,
        values?: readonly unknown[],
      ) => {
        if (typeof textOrCursor !== 'string') return client.query(textOrCursor as never);
        const name = namesByText.get(textOrCursor);
        const params = values ? [...values] : [];
        return name === undefined
          ? client.query(textOrCursor, params)
          : client.query({ name, text: textOrCursor, values: params });
      };
      wrapper = {
        query,
        release: (destroy?: boolean) => client.release(destroy),
      } as unknown as PostgresPoolClient;
      wrappers.set(client, wrapper);
    }
    return wrapper;
  };
  return {
    connect: async () => wrap(await pool.connect()),
    end: () => pool.end(),
  };
}
