import { execFileSync } from 'node:child_process';

/** Global setup: the pages are built once from dashboard/ before the browser tests open them. */
export default function buildPages(): void {
  const script = new URL('../../scripts/build-dashboard.mjs', import.meta.url).pathname;
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
