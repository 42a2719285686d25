import { runConcurrently } from '../support.js';

/** POSTs `body` to `url` `count` times, `concurrency` at once, reading every answer. */
export async function fetchPostLoop(
  url: string,
  body: string,
  count: number,
  concurrency: number,
): Promise<void> {
  await runConcurrently(count, concurrency, async () => {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
    });
    await response.arrayBuffer();
    if (!response.ok) throw new Error(`the receiver answered ${response.status}`);
  });
}
