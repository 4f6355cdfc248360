import type { Redis } from 'ioredis';
import { randomToken, sha256Hex } from './crypto';

/**
 * Secrets sent in mailed links (password reset, e-mail verification). Redis keeps only their
 * SHA-256 under a TTL, so a leaked dump opens nothing and an expired link is simply gone.
 */
export async function issueSecret(redis: Redis, key: string, ttlMs: number): Promise<string> {
  const secret = randomToken(32);
  await redis.set(key, sha256Hex(secret), 'PX', ttlMs);
  return secret;
}

/**
 * True when `secret` is the live one under `key`, which is then gone: of two concurrent uses only
 * the one whose DEL removed the key succeeds.
 */
export async function consumeSecret(redis: Redis, key: string, secret: string): Promise<boolean> {
  const stored = await redis.get(key);
  return !!stored && stored === sha256Hex(secret) && (await redis.del(key)) === 1;
}
