import type { z } from '@hono/zod-openapi';
import { JOB_ID_EXAMPLE } from './jobs.examples.js';
import type { BudgetChangeResultSchema, ChangeJobBodySchema } from './jobs.schemas.js';

export const BUDGET_CHANGE_EXAMPLE: z.input<typeof ChangeJobBodySchema> = { maxCostUsd: 25 };

export const BUDGET_CHANGE_RESULT_EXAMPLE: z.input<typeof BudgetChangeResultSchema> = {
  id: JOB_ID_EXAMPLE,
  maxCostUsd: 25,
  previousStatus: 'paused',
  status: 'processing',
};
