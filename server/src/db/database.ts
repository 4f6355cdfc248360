import { Client } from 'pg';
import { Sequelize } from 'sequelize';
import type { AppConfig } from '../config/config';
import { logger } from '../common/logger';

function pgConnection(config: AppConfig, database: string) {
  const { hostname, port, username, password, ssl } = config.database;
  // pg takes a folder as `host` for Unix sockets (e.g. /var/run/postgresql).
  return { host: hostname, port, user: username, password: password ?? undefined, database, ssl: ssl || undefined };
}

/** Creates the configured database when it does not exist yet (first start, or a test's own database). */
export async function ensureDatabase(config: AppConfig): Promise<boolean> {
  const client = new Client(pgConnection(config, 'postgres'));
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [config.database.name]);
    if (rowCount) return false;
    // The name is validated by the config schema (letters, digits, _ and -), so quoting is enough.
    await client.query(`CREATE DATABASE "${config.database.name}"`);
    logger.info({ database: config.database.name }, 'database created');
    return true;
  } catch (err) {
    // Two processes racing to create the same database: the loser sees 42P04 (duplicate_database).
    if ((err as { code?: string }).code === '42P04') return false;
    throw err;
  } finally {
    await client.end();
  }
}

export async function dropDatabase(config: AppConfig): Promise<void> {
  const client = new Client(pgConnection(config, 'postgres'));
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${config.database.name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

export function createSequelize(config: AppConfig): Sequelize {
  const c = pgConnection(config, config.database.name);
  return new Sequelize(c.database, c.user, c.password ?? '', {
    host: c.host,
    port: c.port,
    dialect: 'postgres',
    dialectOptions: c.ssl ? { ssl: true } : {},
    logging: false,
    pool: { max: config.database.pool.max, min: 0, idle: 10_000 },
    define: { underscored: true, timestamps: true },
  });
}
