import type { Command } from 'commander';
import { describeCancel, registerJobTransition } from '../job-transition-command.js';

export function registerCancelCommand(program: Command) {
  registerJobTransition(program, {
    name: 'cancel',
    description:
      'cancel a job; batches in flight are cancelled at Anthropic first, results collected are kept',
    method: 'POST',
    path: (id) => `/v1/jobs/${id}/cancel`,
    describe: describeCancel,
  });
}
