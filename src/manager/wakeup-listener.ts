import type { JobWorker } from '../machines/job-worker.js';
import type { DatabaseHandle } from '../store/create-database.js';
import { JOB_WAKEUP_CHANNEL, parseJobWakeup } from '../store/jobs/job-wakeups.js';
import type { WebhookRelay } from '../webhooks/index.js';
import { WEBHOOK_WAKEUP_CHANNEL } from '../webhooks/insert-deliveries.js';
import type { Report } from './report.js';

/**
 * Wake-ups from every instance (a job created, resumed, changed by a command, leases handed
 * over; webhook deliveries due): the worker claims or reads the job again at once, the relay
 * sends. Without them (LISTEN failing) polling still finds the work, only later.
 */
export async function listenForWakeups(
  database: DatabaseHandle,
  worker: JobWorker | undefined,
  relay: WebhookRelay | undefined,
  report: Report,
) {
  const listening = (on: boolean) => {
    worker?.setListening(on);
    relay?.setListening(on);
  };
  try {
    const listener = await database.listen([JOB_WAKEUP_CHANNEL, WEBHOOK_WAKEUP_CHANNEL], {
      notified: (channel, payload) => {
        if (channel === WEBHOOK_WAKEUP_CHANNEL) return relay?.wake();
        const wakeup = parseJobWakeup(payload);
        if (wakeup === 'leases-handed-over') worker?.wakeToTakeOver();
        else worker?.wake(wakeup === 'work-queued' ? undefined : wakeup.jobId);
      },
      reconnected: () => {
        report('info', 'wake-up connection is back; looking for work missed meanwhile');
        listening(true);
        worker?.wakeToTakeOver();
        relay?.wake();
      },
      failed: (error) => {
        listening(false);
        report('warn', 'wake-up connection failed; polling until it is back', {
          error: String(error),
        });
      },
    });
    listening(true);
    return listener;
  } catch (error) {
    report('warn', 'could not LISTEN for wake-ups; jobs are found by polling only', {
      error: String(error),
    });
    return undefined;
  }
}
