// Creates a job from requests.jsonl, waits for it to end, prints its results and exits.
// `node examples/wait-for-job.mjs`: with no ANTHROPIC_API_KEY the built-in simulator answers,
// and with no DATABASE_URL the jobs are kept in an embedded Postgres in ./.data.
import { readFile } from 'node:fs/promises';
import { BatchJobManager, Priority } from 'batchkeeper';

const text = await readFile(new URL('./requests.jsonl', import.meta.url), 'utf8');
const requests = text
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line));

const manager = new BatchJobManager();
try {
  const { id } = await manager.createJob({ requests, priority: Priority.HIGH, tags: ['example'] });
  console.log(`created ${id} with ${requests.length} requests`);

  const job = await manager.waitForJob(id, { timeoutMs: 5 * 60_000 });
  console.log(`${id} ${job.status}: ${job.progress.completed} of ${job.progress.total} completed`);

  const { results } = await manager.getJobResults(id);
  for (const [customId, { result }] of Object.entries(results)) {
    const answer = result.type === 'succeeded' ? result.message.content[0]?.text : result.type;
    console.log(`${customId}: ${answer}`);
  }
} finally {
  await manager.close();
}
