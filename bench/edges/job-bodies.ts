/** Where a request body takes an id of its own per request (`uniqueIds` in http-load.ts). */
export const ID_PLACEHOLDER = '[<id>]';

/** One request of a job, a short question; `key` makes it distinct from every other. */
export function benchRequestItem(n: number, key: string) {
  return {
    custom_id: `r${n}-${key}`,
    params: {
      model: 'claude-sonnet-5-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: `Question ${n} of ${key}: what is ${n} squared?` }],
    },
  };
}

/** `POST /v1/jobs`'s JSON body with `count` requests, each made distinct by `key`. */
export function createJobBody(count: number, key: string): string {
  return JSON.stringify({
    priority: 'NORMAL',
    tags: ['bench'],
    requests: Array.from({ length: count }, (_, n) => benchRequestItem(n, key)),
  });
}
