import { join } from 'node:path';
import { Umzug, SequelizeStorage } from 'umzug';
import type { QueryInterface, Sequelize } from 'sequelize';
import { logger } from '../common/logger';

export interface MigrationContext {
  queryInterface: QueryInterface;
  sequelize: Sequelize;
}

/** Migrations are compiled to dist/db/migrations/*.js; each exports `up` and `down`. */
export function createMigrator(sequelize: Sequelize) {
  return new Umzug<MigrationContext>({
    migrations: {
      glob: ['migrations/*.js', { cwd: join(__dirname) }],
      resolve: ({ name, path, context }) => {
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(path!) as { up: (c: MigrationContext) => Promise<void>; down: (c: MigrationContext) => Promise<void> };
        return { name: name.replace(/\.js$/, ''), up: () => mod.up(context), down: () => mod.down(context) };
      },
    },
    context: { queryInterface: sequelize.getQueryInterface(), sequelize },
    storage: new SequelizeStorage({ sequelize, tableName: 'schema_migration' }),
    logger: undefined,
  });
}

export async function migrate(sequelize: Sequelize): Promise<string[]> {
  // One server process migrates at a time (several may start together behind a proxy).
  // The advisory lock is held by one dedicated connection for the whole run.
  const manager = sequelize.connectionManager as unknown as {
    getConnection(o: { type: string }): Promise<{ query(sql: string): Promise<unknown> }>;
    releaseConnection(c: unknown): Promise<void>;
  };
  const conn = await manager.getConnection({ type: 'write' });
  await conn.query('SELECT pg_advisory_lock(727001)');
  try {
    const done = await createMigrator(sequelize).up();
    if (done.length) logger.info({ migrations: done.map((m) => m.name) }, 'migrations applied');
    return done.map((m) => m.name);
  } finally {
    await conn.query('SELECT pg_advisory_unlock(727001)');
    await manager.releaseConnection(conn);
  }
}
