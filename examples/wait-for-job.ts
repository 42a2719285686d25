// Creates a job from requests.jsonl, waits for it to end, prints its results and exits.
// `bin/run-ts examples/wait-for-job.ts` in a checkout (or with tsx where the package is
// installed); no ANTHROPIC_API_KEY: the built-in simulator answers. Ctrl-C stops the wait.
import { readFile } from 'node:fs/promises';
import { BatchJobManager, JobWaitTimeoutError, Priority } from 'batchkeeper';

interface Request {
  custom_id: string;
  params: { model: string; max_tokens: number; messages: unknown[] };
}

const text = await readFile(new URL('./requests.jsonl', import.meta.url), 'utf8');
const requests = text
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as Request);

const manager = new BatchJobManager({ maxConcurrentJobs: 2 });
const interrupted = new AbortController();
process.once('SIGINT', () => interrupted.abort(new Error('interrupted')));
try {
  const { id } = await manager.createJob({ requests, priority: Priority.HIGH, tags: ['example'] });
  console.log(`created ${id} with ${requests.length} requests`);

  const job = await manager.waitForJob(id, { timeoutMs: 5 * 60_000, signal: interrupted.signal });
  console.log(`${id} ${job.status}: ${job.progress.completed} of ${job.progress.total} completed`);

  const { results } = (await manager.getJobResults(id))!;
  for (const [customId, { result }] of Object.entries(results)) {
    const answer = result.type === 'succeeded' ? firstText(result.message) : result.type;
    console.log(`${customId}: ${answer}`);
  }
} catch (error) {
  if (!(error instanceof JobWaitTimeoutError)) throw error;
  console.error(`${error.jobId} is still ${error.lastStatus}; it goes on without us`);
  process.exitCode = 1;
} finally {
  await manager.close();
}

/** The first text block of a Claude message. */
function firstText(message: unknown): string {
  const content = (message as { content?: Array<{ type: string; text?: string }> }).content;
  return content?.find((block) => block.type === 'text')?.text ?? '';
}
