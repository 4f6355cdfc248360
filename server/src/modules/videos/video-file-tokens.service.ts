import { Inject, Injectable } from '@nestjs/common';
import type { Redis } from 'ioredis';
import { randomToken } from '../../common/crypto';
import { redisKey } from '../../common/redis';
import { CONFIG, REDIS } from '../../common/tokens';
import type { AppConfig } from '../../config/config';

/** Lifetime of a `videoFileToken` (players fetch segments with it for a whole viewing). */
export const VIDEO_FILE_TOKEN_TTL_SECONDS = 2 * 60 * 60;

/** Short-lived tokens to fetch private/internal video files without an Authorization header. */
@Injectable()
export class VideoFileTokensService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  async create(videoUuid: string, userId: number): Promise<{ token: string; expires: string }> {
    const token = randomToken(24);
    await this.redis.set(redisKey(this.config, 'video-file-token', token), `${videoUuid}:${userId}`, 'EX', VIDEO_FILE_TOKEN_TTL_SECONDS);
    return { token, expires: new Date(Date.now() + VIDEO_FILE_TOKEN_TTL_SECONDS * 1000).toISOString() };
  }

  /** The user the token was made for, when it is valid for this video. */
  async check(token: string, videoUuid: string): Promise<number | null> {
    if (!/^[A-Za-z0-9_-]{8,128}$/.test(token)) return null;
    const value = await this.redis.get(redisKey(this.config, 'video-file-token', token));
    if (!value) return null;
    const [uuid, userId] = value.split(':');
    return uuid === videoUuid ? Number(userId) : null;
  }
}
