import type { Command } from 'commander';
import { registerJobTransition } from '../job-transition-command.js';

export function registerPauseCommand(program: Command) {
  registerJobTransition(program, {
    name: 'pause',
    description: 'pause a processing job: no new submissions or retries',
    method: 'POST',
    path: (id) => `/v1/jobs/${id}/pause`,
  });
}
