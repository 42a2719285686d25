import { ApiError } from './api-error.js';
import { currentApiKey } from './api-key.js';

type UnauthorizedListener = (error: ApiError) => void;
const unauthorizedListeners = new Set<UnauthorizedListener>();

/** Called whenever a call is answered 401 (the app then asks for a key). */
export function onUnauthorized(listener: UnauthorizedListener): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** The headers of every call: the key, when one was given, as `Authorization: Bearer`. */
function headers(extra: Record<string, string> = {}): Headers {
  const result = new Headers(extra);
  const key = currentApiKey();
  if (key) result.set('authorization', `Bearer ${key}`);
  return result;
}

/** fetch of a path of this origin (the API serves the pages) with the key; a non-2xx answer is thrown as an ApiError (and a 401 announced). */
export async function call(
  path: string,
  init: { method?: string; json?: unknown; accept?: string; signal?: AbortSignal } = {},
): Promise<Response> {
  const extra: Record<string, string> = { accept: init.accept ?? 'application/json' };
  if (init.json !== undefined) extra['content-type'] = 'application/json';
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: headers(extra),
    body: init.json === undefined ? null : JSON.stringify(init.json),
    signal: init.signal ?? null,
    cache: 'no-store',
  });
  if (response.ok) return response;
  const error = await ApiError.from(response);
  if (response.status === 401) for (const listener of unauthorizedListeners) listener(error);
  throw error;
}

export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await call(path, signal ? { signal } : {});
  return (await response.json()) as T;
}

export async function postJson<T>(path: string, json: unknown = {}): Promise<T> {
  return (await (await call(path, { method: 'POST', json })).json()) as T;
}

export async function deleteJson<T>(path: string): Promise<T> {
  return (await (await call(path, { method: 'DELETE' })).json()) as T;
}

export async function getText(path: string, accept: string, signal?: AbortSignal): Promise<string> {
  const response = await call(path, { accept, ...(signal ? { signal } : {}) });
  return response.text();
}

/** A query string of the defined, non-empty values. */
export function query(params: Record<string, string | number | undefined | null>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(name, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
