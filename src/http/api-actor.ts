import type { Context } from 'hono';
import type { ApiActor } from '../domain/actor.js';
import type { AppEnv } from './app-env.js';

/** The caller of this request, as the events it causes record it (docs/audit.md). */
export function apiActor(c: Context<AppEnv>): ApiActor {
  return {
    kind: 'api',
    tenant: c.var.tenant,
    apiKeyId: c.var.apiKeyId,
    requestId: c.var.requestId,
  };
}
