import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { mkdir } from 'node:fs/promises';
import { ConfigError, loadConfig, type AppConfig } from './config/config';
import { logger } from './common/logger';
import { AppModule } from './app.module';
import { firstBoot } from './bootstrap';
import { createRedis } from './common/redis';
import { createSequelize, ensureDatabase } from './db/database';
import { migrate } from './db/migrator';
import { initModels } from './db/models';
import { configureHttp } from './http';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`flotilla: ${err.message}\n`);
      process.exit(78); // EX_CONFIG
    }
    throw err;
  }
  logger.level = config.log.level;
  const started = Date.now();

  for (const dir of Object.values(config.paths)) await mkdir(dir, { recursive: true });

  await ensureDatabase(config);
  const sequelize = createSequelize(config);
  initModels(sequelize);
  await migrate(sequelize);
  const redis = createRedis(config);
  await redis.ping();

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config, sequelize, redis), {
    // At debug level Nest also logs each route as it registers it with Express ("Mapped {...} route").
    logger: config.log.level === 'debug' || config.log.level === 'trace' ? ['error', 'warn', 'log'] : ['error', 'warn'],
    bodyParser: false,
  });
  configureHttp(app, config, redis);
  await app.init();
  await firstBoot(app, sequelize);

  await app.listen(config.listen.port, config.listen.hostname);
  const address = app.getHttpServer().address() as { port: number } | null;
  const port = address?.port ?? config.listen.port;
  logger.info({ port, url: config.webserverUrl, ms: Date.now() - started }, 'flotilla listening');
  // A line tests and scripts wait for (also when logs are silent).
  process.stdout.write(`FLOTILLA_LISTENING port=${port}\n`);

  const stop = async (signal: string) => {
    logger.info({ signal }, 'stopping');
    const timer = setTimeout(() => process.exit(1), 10_000);
    timer.unref();
    // Idle keep-alive sockets close now; requests still streaming (uploads keep what arrived) get 1 s.
    const http = app.getHttpServer() as import('node:http').Server;
    http.closeIdleConnections();
    const force = setTimeout(() => http.closeAllConnections(), 1000);
    force.unref();
    await app.close();
    await sequelize.close();
    redis.disconnect();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

main().catch((err) => {
  // Only message and stack: some errors (sequelize, umzug) carry whole connection objects.
  const e = err as Error;
  logger.fatal({ err: { type: e.name, message: e.message, stack: e.stack } }, 'failed to start');
  process.stderr.write(`flotilla: failed to start: ${(err as Error).message}\n`);
  process.exit(1);
});
