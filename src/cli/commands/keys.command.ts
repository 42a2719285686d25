import type { Command } from 'commander';
import { TENANT_PATTERN } from '../../config.js';
import { NotFoundError } from '../../domain/errors.js';
import type { ApiKey } from '../../store/api-keys.js';
import { withMigratedDatabase } from '../with-migrated-database.js';

export function registerKeysCommand(program: Command) {
  const keys = program
    .command('keys')
    .description(
      'manage the API keys stored in the database (DATABASE_URL, else the embedded one)',
    );

  keys
    .command('create')
    .description('make an API key for a tenant; the key is printed once and only its hash is kept')
    .requiredOption('--tenant <tenant>', 'the tenant the key acts for')
    .option('--name <name>', 'a note to tell keys apart, e.g. "ci"')
    .action(async (options: { tenant: string; name?: string }, command: Command) => {
      if (!TENANT_PATTERN.test(options.tenant)) {
        command.error('--tenant must be 1-64 letters, digits, "_", "." or "-"', { exitCode: 2 });
      }
      const { createApiKey } = await import('../../store/api-keys.js');
      const { key, apiKey } = await withMigratedDatabase(({ db }) =>
        createApiKey(db, { tenant: options.tenant, name: options.name }),
      );
      console.error(
        `created ${apiKey.id} for tenant ${apiKey.tenant}; the key below is shown only this once`,
      );
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
        const { revokeApiKey } = await import('../../store/api-keys.js');
        const apiKey = await withMigratedDatabase(({ db }) => revokeApiKey(db, id));
        console.log(`revoked ${apiKey.id} (tenant ${apiKey.tenant})`);
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        // Not `command.error`: the program's exit override turns every usage error into 2.
        console.error(error.message);
        process.exitCode = 3;
      }
    });
}

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
