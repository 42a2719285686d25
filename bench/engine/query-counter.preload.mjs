// Counts what this process sends through node-postgres, for the engine benchmarks:
// statements by their first keyword, and the transactions they make on the server
// (a BEGIN … COMMIT block, a statement outside one, and each new connection, whose
// start-up Postgres counts as a transaction too). Loaded into a `batchkeeper serve`
// child with NODE_OPTIONS=--import=<this file>; writes the counts as JSON to
// BENCH_QUERY_COUNTS_FILE on SIGUSR2 and at exit, each write with a higher `seq`.
// With BENCH_QUERY_TEXTS_FILE set, it also writes there at exit how often each statement
// was sent (its text, blanks collapsed, cut to 160 characters): to see where a count goes.
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const file = process.env.BENCH_QUERY_COUNTS_FILE;
if (file) {
  // The same CommonJS module the ESM `import pg from 'pg'` of src/ resolves to.
  const pg = createRequire(import.meta.url)('pg');
  const statements = {};
  let transactions = 0;
  let connections = 0;
  let seq = 0;
  const inBlock = new WeakSet();
  const textsFile = process.env.BENCH_QUERY_TEXTS_FILE;
  const texts = {};

  const textOf = (config) =>
    typeof config === 'string' ? config : typeof config?.text === 'string' ? config.text : '';
  // The first word, past leading blanks, comments and parentheses: `(select …)` is a select.
  const keywordOf = (text) => {
    const match = /^(?:\s|--[^\n]*\n|\/\*[\s\S]*?\*\/|\()*([A-Za-z]+)/.exec(text);
    return match ? match[1].toLowerCase() : 'other';
  };

  // ROLLBACK ends the block; ROLLBACK TO SAVEPOINT does not.
  const isRollback = (config) => /^\s*rollback\b(?!\s+to\b)/i.test(textOf(config));

  // The count excludes the results rows (one insert per 500 results): kept apart.
  const isResultRows = (text) => /^\s*insert\s+into\s+"?request_results"?/i.test(text);

  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function countedQuery(config, ...rest) {
    if (config != null) {
      const text = textOf(config);
      const keyword = isResultRows(text) ? 'results-rows' : keywordOf(text);
      statements[keyword] = (statements[keyword] ?? 0) + 1;
      if (textsFile) {
        const key = text.replace(/\s+/g, ' ').trim().slice(0, 160);
        texts[key] = (texts[key] ?? 0) + 1;
      }
      if (keyword === 'begin' || keyword === 'start') {
        inBlock.add(this);
        transactions += 1;
      } else if (keyword === 'commit' || keyword === 'end' || isRollback(config)) {
        inBlock.delete(this);
      } else if (!inBlock.has(this)) {
        transactions += 1;
      }
    }
    return query.call(this, config, ...rest);
  };
  const connect = pg.Client.prototype.connect;
  pg.Client.prototype.connect = function countedConnect(...args) {
    connections += 1;
    return connect.apply(this, args);
  };

  const write = () => {
    seq += 1;
    writeFileSync(file, JSON.stringify({ seq, statements, transactions, connections }));
  };
  write();
  process.on('SIGUSR2', write);
  process.on('exit', write);
  if (textsFile) {
    process.on('exit', () => {
      const sorted = Object.entries(texts).sort(([, a], [, b]) => b - a);
      writeFileSync(`${textsFile}.${process.pid}`, sorted.map(([t, n]) => `${n}\t${t}`).join('\n'));
    });
  }
}
