/** Jobs whose requests ask for prompt caching, for the cost tests. */
const LONG_CONTEXT = 'A long shared context that every request reuses. '.repeat(40);

/** A request whose system prompt asks for caching (`ttl` 1h or 5 m), or none when `ttl` is null. */
export function cachedRequest(n: number | string, ttl: '5m' | '1h' | null, maxTokens = 64) {
  const system = [
    {
      type: 'text',
      text: `${ttl ?? 'plain'}: ${LONG_CONTEXT}`,
      ...(ttl === null
        ? {}
        : { cache_control: { type: 'ephemeral', ...(ttl === '1h' ? { ttl } : {}) } }),
    },
  ];
  return {
    custom_id: `cached-${n}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: maxTokens,
      system,
      messages: [{ role: 'user', content: `question ${n}` }],
    },
  };
}

/** Three requests sharing a 5-minute cached prefix, two a 1-hour one, one without caching; `tag` makes them new. */
export function mixedJob(tag: string) {
  const ttls = ['5m', '5m', '5m', '1h', '1h', null] as const;
  return { requests: ttls.map((ttl, i) => cachedRequest(`${tag}-${i}`, ttl)) };
}
