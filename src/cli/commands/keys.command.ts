import type { Command } from 'commander';
import { TENANT_PATTERN } from '../../config.js';
import { NotFoundError } from '../../domain/errors.js';
import type { ApiKey } from '../../store/api-keys.js';
import { withMigratedDatabase } from '../with-migrated-database.js';

export function registerKeysCommand(program: Command) {
  const keys = program
    .command('keys')
    .description(
      'manage the API keys stored in the database (DATABASE_URL, else the embedded one, ' +
        'which a running server holds: stop it first). A running server keeps its auth mode ' +
        '(open or keys) whatever keys are made or revoked; see docs/auth.md',
    );

  keys
    .command('create')
    .description('make an API key for a tenant; the key is printed once and only its hash is kept')
    .requiredOption('--tenant <tenant>', 'the tenant the key acts for')
    .option('--name <name>', 'a note to tell keys apart, e.g. "ci"')
    .action(async (options: { tenant: string; name?: string }, command: Command) => {
      if (!TENANT_PATTERN.test(options.tenant)) {
        command.error('error: --tenant must be 1-64 letters, digits, "_", "." or "-"', {
          exitCode: 2,
        });
      }
      const { createApiKey, hasActiveApiKeys } = await import('../../store/api-keys.js');
      const { key, apiKey, first } = await withMigratedDatabase(async ({ db }) => {
        const first = !(await hasActiveApiKeys(db));
        return {
          ...(await createApiKey(db, { tenant: options.tenant, name: options.name })),
          first,
        };
      });
      console.error(
        `created ${apiKey.id} for tenant ${apiKey.tenant}; the key below is shown only this once`,
      );
      if (first) console.error(FIRST_KEY_NOTE);
      console.log(key);
    });

  keys
    .command('list')
    .description('list the stored keys (never the keys themselves)')
    .option('--json', 'one JSON object per line')
    .action(async (options: { json?: boolean }) => {
      const { listApiKeys } = await import('../../store/api-keys.js');
      const all = await withMigratedDatabase(({ db }) => listApiKeys(db));
      if (options.json) {
        for (const apiKey of all) console.log(JSON.stringify(apiKey));
        return;
      }
      console.log(formatTable(all));
    });

  keys
    .command('revoke')
    .description('revoke a stored key: it stops working at once')
    .argument('<id>', 'the key id, as `keys list` shows it')
    .action(async (id: string) => {
      try {
        const { hasActiveApiKeys, revokeApiKey } = await import('../../store/api-keys.js');
        const { apiKey, anyLeft } = await withMigratedDatabase(async ({ db }) => ({
          apiKey: await revokeApiKey(db, id),
          anyLeft: await hasActiveApiKeys(db),
        }));
        console.log(`revoked ${apiKey.id} (tenant ${apiKey.tenant})`);
        if (!anyLeft) console.error(LAST_KEY_WARNING);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        // Not `command.error`: the program's exit override turns every usage error into 2.
        console.error(`error: ${error.message}; see the ids with: batchkeeper keys list`);
        process.exitCode = 3;
      }
    });
}

/** Said by `keys create` when no other stored key is active: the key does not close a running open server. */
const FIRST_KEY_NOTE =
  'note: this is the only active stored key. A server already running on this database in open ' +
  'mode (started with no keys, or with BATCHKEEPER_AUTH=open) stays open until it is restarted: ' +
  'it still lets in callers without a key, as tenant "default". Started again without ' +
  'BATCHKEEPER_AUTH=open, a server requires a key.';

/** Said by `keys revoke` when no stored key is left active. */
const LAST_KEY_WARNING =
  'WARNING: no active stored API key is left. Servers running in keys mode do not open: they ' +
  'answer 401 to every request (unless BATCHKEEPER_API_KEYS gives them keys). A server started ' +
  'from now on without keys or BATCHKEEPER_AUTH runs open, which it does on a loopback HOST only. ' +
  'Create a key with `batchkeeper keys create --tenant T`.';

function formatTable(keys: readonly ApiKey[]): string {
  const rows = [
    ['ID', 'TENANT', 'NAME', 'PREFIX', 'CREATED', 'STATUS'],
    ...keys.map((k) => [
      k.id,
      k.tenant,
      k.name ?? '',
      `${k.prefix}…`,
      k.createdAt.toISOString(),
      k.revokedAt ? `revoked ${k.revokedAt.toISOString()}` : 'active',
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, column) => cell.padEnd(widths[column]!))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}
