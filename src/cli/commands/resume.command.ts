import type { Command } from 'commander';
import { registerJobTransition } from '../job-transition-command.js';

export function registerResumeCommand(program: Command) {
  registerJobTransition(program, {
    name: 'resume',
    description: 'resume a paused job',
    method: 'POST',
    path: (id) => `/v1/jobs/${id}/resume`,
  });
}
