import { DEFAULT_SERVER_URL } from '../api-client.js';

/** What the start-up banner tells. */
export interface BannerFacts {
  version: string;
  /** Where the API listens, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** Where jobs go: the simulator's URL or Anthropic's. */
  anthropicUrl: string;
  simulator: boolean;
  /** `embedded PGlite in ./.data`, `Postgres`. */
  database: string;
  /** `open`, `keys`. */
  auth: string | undefined;
  /** Whether this instance runs the scheduler and the relay. */
  worker: boolean;
}

/**
 * The lines `serve` prints on stderr once it listens, in pretty (terminal) mode: where the API,
 * its docs and Anthropic are. In JSON mode the same facts are fields of the `listening on` line.
 */
export function startupBanner(facts: BannerFacts): string {
  const anthropic = facts.simulator
    ? `${facts.anthropicUrl} (the built-in simulator: ANTHROPIC_API_KEY is not set)`
    : facts.anthropicUrl;
  const rows: [string, string][] = [
    ['API', facts.url],
    ['docs', `${facts.url}/docs`],
    ['Anthropic', anthropic],
    ['database', facts.database],
  ];
  if (facts.auth) rows.push(['auth', facts.auth]);
  if (!facts.worker) rows.push(['worker', 'off (--no-worker): another instance runs the jobs']);
  const urlFlag = facts.url === DEFAULT_SERVER_URL ? '' : ` --url ${facts.url}`;
  rows.push(['try', `batchkeeper list${urlFlag}`], ['stop', 'Ctrl-C']);
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    '',
    `batchkeeper ${facts.version} is ready`,
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
    '',
  ].join('\n');
}
