/** The migrated database every test database of one run is cloned from (one per run, so runs in parallel never share it). */
export function templateDatabase(runId: string): string {
  return `batchkeeper_template_${runId}`;
}

/** The same server, another database. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** The server's maintenance database, for CREATE/DROP DATABASE. */
export function adminUrl(url: string): string {
  return withDatabase(url, 'postgres');
}
