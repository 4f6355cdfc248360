import { ConfigError, loadConfig } from '../config/config';
import { createSequelize, ensureDatabase } from '../db/database';
import { migrate } from '../db/migrator';

/** `node server/dist/cli/migrate.js`: creates the database if missing and applies migrations. */
async function main(): Promise<void> {
  const config = loadConfig();
  const created = await ensureDatabase(config);
  const sequelize = createSequelize(config);
  try {
    const applied = await migrate(sequelize);
    process.stdout.write(
      `${created ? `database ${config.database.name} created; ` : ''}` +
        `${applied.length ? `${applied.length} migration(s) applied` : 'schema up to date'}\n`,
    );
  } finally {
    await sequelize.close();
  }
}

main().catch((err) => {
  process.stderr.write(`${err instanceof ConfigError ? '' : 'migration failed: '}${(err as Error).message}\n`);
  process.exit(err instanceof ConfigError ? 78 : 1);
});
