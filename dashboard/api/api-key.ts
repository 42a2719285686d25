// The API key the pages send, kept for this browser tab only (session storage, never a URL).

const STORAGE_KEY = 'batchkeeper.apiKey';

/** The key given since the page opened, for when session storage is disabled. */
let memoryKey: string | null = null;

export function readApiKey(): string | null {
  try {
    return sessionStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage disabled: ask each time
  }
}

export function storeApiKey(key: string): void {
  try {
    sessionStorage.setItem(STORAGE_KEY, key);
  } catch {
    // storage disabled: the key lives until the page is closed
  }
  memoryKey = key;
}

export function forgetApiKey(): void {
  try {
    sessionStorage.removeItem(STORAGE_KEY);
  } catch {}
  memoryKey = null;
}

/** The key to send: the stored one, else the one given since the page opened. */
export function currentApiKey(): string | null {
  return readApiKey() ?? memoryKey;
}
