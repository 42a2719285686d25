import { useEffect, useState } from 'preact/hooks';

/** Where the page is: the jobs list, or one job (optionally as of a version of its log). */
export type Route = { page: 'jobs' } | { page: 'job'; id: string; asOf: number | null };

/** Reads `#/jobs/ID?asOf=N`; anything else is the list. */
export function parseRoute(hash: string): Route {
  const match = /^#\/jobs\/([^?]+)(?:\?(.*))?$/.exec(hash);
  if (!match) return { page: 'jobs' };
  const asOfText = new URLSearchParams(match[2] ?? '').get('asOf');
  const asOf = asOfText && /^\d+$/.test(asOfText) ? Number(asOfText) : null;
  return { page: 'job', id: decodeURIComponent(match[1]!), asOf };
}

export function jobHref(id: string, asOf: number | null = null): string {
  return `#/jobs/${encodeURIComponent(id)}${asOf === null ? '' : `?asOf=${asOf}`}`;
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}
