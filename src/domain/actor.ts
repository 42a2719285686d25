/**
 * Who caused an event, kept in its metadata (`metadata.actor`, docs/audit.md): a caller of
 * the API, a program using the library in-process, or one of the system's own loops. The
 * instance is the event's `metadata.instanceId`; an API key is named by its id, never itself.
 */
export type Actor = ApiActor | LibraryActor | SystemActor;

/** A request to the HTTP API. */
export interface ApiActor {
  kind: 'api';
  tenant: string;
  /** The key's id (`keys list`), or for a configured key a fingerprint of its hash; none when open. */
  apiKeyId?: string | undefined;
  /** The request id (the `request-id` header), also the events' correlationId. */
  requestId: string;
}

/** A call to the job manager from the program that embeds it. */
export interface LibraryActor {
  kind: 'library';
  tenant: string;
}

/** The loops that move jobs on by themselves. */
export type SystemLoop = 'scheduler' | 'driver' | 'relay' | 'reconciler';

export interface SystemActor {
  kind: 'system';
  loop: SystemLoop;
}

/** The actor of what `loop` writes. */
export function systemActor(loop: SystemLoop): SystemActor {
  return { kind: 'system', loop };
}

/** What the command methods take as their caller: an API actor, or a bare correlation id. */
export type Caller = ApiActor | string | undefined;

/** The actor of a command given by `caller` for `tenant`. */
export function callerActor(tenant: string, caller: Caller): ApiActor | LibraryActor {
  // A bare correlation id comes from a program calling the manager, not from the HTTP API.
  return caller === undefined || typeof caller === 'string' ? { kind: 'library', tenant } : caller;
}

/** The correlation id the events of a command given by `caller` carry. */
export function correlationIdOf(caller: Caller): string | undefined {
  return typeof caller === 'string' ? caller : caller?.requestId;
}

/** One short phrase for an actor, as `audit verify --steps` and the dashboard say it. */
export function describeActor(actor: unknown): string | undefined {
  if (typeof actor !== 'object' || actor === null) return undefined;
  const a = actor as Record<string, unknown>;
  if (a.kind === 'system' && typeof a.loop === 'string') return `the ${a.loop}`;
  if (a.kind === 'library' && typeof a.tenant === 'string') return `library, tenant ${a.tenant}`;
  if (a.kind === 'api') {
    const parts = [`tenant ${String(a.tenant)}`];
    if (typeof a.apiKeyId === 'string') parts.push(`key ${a.apiKeyId}`);
    if (typeof a.requestId === 'string') parts.push(`request ${a.requestId}`);
    return `api, ${parts.join(', ')}`;
  }
  return undefined;
}
