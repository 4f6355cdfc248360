import IORedis, { type Redis, type RedisOptions } from 'ioredis';
import type { AppConfig } from '../config/config';

export function redisOptions(config: AppConfig): RedisOptions {
  return {
    host: config.redis.hostname,
    port: config.redis.port,
    db: config.redis.db,
    password: config.redis.password || undefined,
    // Fail fast at boot instead of queueing commands forever when Redis is not there.
    maxRetriesPerRequest: 3,
  };
}

/** The shared client; every key Flotilla writes goes through `key()` so instances can share a Redis. */
export function createRedis(config: AppConfig): Redis {
  return new IORedis(redisOptions(config));
}

export function redisKey(config: AppConfig, ...parts: Array<string | number>): string {
  return [config.redis.prefix, ...parts].join(':');
}
