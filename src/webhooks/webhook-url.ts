/** The longest webhook URL accepted. */
export const MAX_WEBHOOK_URL_LENGTH = 2048;

/** What is wrong with a webhook URL as written, or the URL it parses to. */
export type WebhookUrlReading = { ok: true; url: URL } | { ok: false; problem: string };

// C0 controls (NUL, CR, LF, tab...), space, DEL and backslash: the URL parser drops or rewrites
// them silently, so the stored text would not be the address used.
function findUnsafeCharacter(raw: string): string | undefined {
  for (const character of raw) {
    const code = character.charCodeAt(0);
    if (code <= 0x20 || code === 0x7f || character === '\\') return character;
  }
  return undefined;
}

/**
 * Reads a webhook URL strictly: an absolute http(s) URL written as `scheme://host...` (no
 * `http:///x` or `http:x`, which the URL parser would take as host `x`), with a host, without
 * credentials (they would be stored and listed as plain text) and without control characters,
 * spaces or backslashes. Where it may point is the SSRF guard's business.
 * @example readWebhookUrl('http://user:pw@hooks.example.com/') // { ok: false, problem: 'must not carry credentials (user:password@)' }
 */
export function readWebhookUrl(raw: string): WebhookUrlReading {
  const refuse = (problem: string): WebhookUrlReading => ({ ok: false, problem });
  if (raw.length > MAX_WEBHOOK_URL_LENGTH) {
    return refuse(`longer than ${MAX_WEBHOOK_URL_LENGTH} characters`);
  }
  const unsafe = findUnsafeCharacter(raw);
  if (unsafe) return refuse(`must not contain ${describeCharacter(unsafe)}`);
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return refuse('not an absolute URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return refuse(`the scheme must be http or https, not ${url.protocol.replace(/:$/, '')}`);
  }
  if (!/^https?:\/\/[^/]/i.test(raw) || url.hostname === '') {
    return refuse('must be scheme://host/...: the host is missing');
  }
  if (url.username !== '' || url.password !== '') {
    return refuse('must not carry credentials (user:password@)');
  }
  return { ok: true, url };
}

function describeCharacter(character: string): string {
  if (character === '\\') return 'a backslash';
  if (character === ' ') return 'a space';
  const code = character.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
  const names: Record<string, string> = {
    '0000': 'NUL',
    '000A': 'LF',
    '000D': 'CR',
    '0009': 'a tab',
  };
  return `${names[code] ?? 'a control character'} (\\u${code})`;
}
