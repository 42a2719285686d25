import type { Command } from 'commander';
import { registerJobTransition } from '../job-transition-command.js';

export function registerDeleteCommand(program: Command) {
  registerJobTransition(program, {
    name: 'delete',
    description: 'delete a job (its batches in flight are cancelled; its audit log stays)',
    method: 'DELETE',
    path: (id) => `/v1/jobs/${id}`,
  });
}
