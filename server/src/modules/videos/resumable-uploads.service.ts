import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { Request } from 'express';
import type { Redis } from 'ioredis';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { Op } from 'sequelize';
import { ErrorCode, videoCreateSchema, type ResumableInit } from '@flotilla/shared';
import { AppError, conflict, forbidden, notFound } from '../../common/app-error';
import { redisKey } from '../../common/redis';
import { CONFIG, REDIS } from '../../common/tokens';
import { parseWith } from '../../common/zod.pipe';
import type { AppConfig } from '../../config/config';
import { uploadPartPath, appendStaged, createEmptyStaged, ensureStagingFolder, removeOldStaged, removeStaged, stagedSize } from '../media-files';
import { UsersService } from '../users/users.service';
import type { AuthUser } from '../users/users.types';
import type { ContentRange } from './content-range';
import { UploadSessionModel } from './upload-session.model';
import { VideoIngestService } from './video-ingest.service';
import { VideoModel } from './video.model';

export type ChunkResult = { done: false; offset: number } | { done: true; video: VideoModel };

/** Short, so that the lock of a crashed process frees itself quickly; renewed every third of it. */
const LOCK_TTL_MS = 5_000;
/** Deletes the lock only if this holder still owns it. */
const RELEASE_LOCK = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end";

const badRange = (msg: string) => new AppError(400, ErrorCode.UPLOAD_INVALID_CONTENT_RANGE, msg);

/**
 * PeerTube's resumable upload protocol (node-uploadx's): sessions in PostgreSQL, bytes appended to
 * one file per session. The number of bytes held is always the size of that file after an fsync,
 * so what a 308 reports survives a dropped connection, a crash and a restart.
 */
@Injectable()
export class ResumableUploadsService implements OnModuleInit {
  /** Requests for one upload run one after the other (a retry may arrive before the dropped request ends). */
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(REDIS) private readonly redis: Redis,
    private readonly ingest: VideoIngestService,
    private readonly users: UsersService,
  ) {}

  async onModuleInit(): Promise<void> {
    await ensureStagingFolder(this.config, 'resumable');
  }

  private async withLock<T>(id: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.locks.get(id) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(async () => {
      const release = await this.acquireSharedLock(id);
      try {
        return await fn();
      } finally {
        await release();
      }
    });
    const tail = run.catch(() => undefined);
    this.locks.set(id, tail);
    try {
      return await run;
    } finally {
      if (this.locks.get(id) === tail) this.locks.delete(id);
    }
  }

  /**
   * The same lock across server processes (behind one reverse proxy, a retry may reach another
   * process). It lives in Redis with a short TTL renewed while held, so a crashed holder frees it
   * within LOCK_TTL_MS; waiting longer than that answers 503 with Retry-After.
   */
  private async acquireSharedLock(id: string): Promise<() => Promise<void>> {
    const key = redisKey(this.config, 'upload-lock', id);
    const token = randomBytes(8).toString('hex');
    const deadline = Date.now() + LOCK_TTL_MS + 5_000;
    while ((await this.redis.set(key, token, 'PX', LOCK_TTL_MS, 'NX')) !== 'OK') {
      if (Date.now() > deadline) {
        throw new AppError(503, ErrorCode.UPLOAD_STILL_PROCESSING, 'This upload is busy in another request, retry later', {
          headers: { 'Retry-After': '5' },
        });
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const renew = setInterval(() => void this.redis.pexpire(key, LOCK_TTL_MS).catch(() => undefined), LOCK_TTL_MS / 3);
    renew.unref();
    return async () => {
      clearInterval(renew);
      await this.redis.eval(RELEASE_LOCK, 1, key, token).catch(() => undefined);
    };
  }

  private expiry(): Date {
    return new Date(Date.now() + this.config.uploads.resumable_expiration);
  }

  async init(user: AuthUser, body: ResumableInit, sizeHeader: string | undefined, mimeType: string | undefined, images: { thumbnail?: string; preview?: string }): Promise<string> {
    const size = sizeHeader !== undefined && /^\d{1,16}$/.test(sizeHeader.trim()) ? Number(sizeHeader) : NaN;
    if (!Number.isSafeInteger(size)) {
      throw new AppError(400, ErrorCode.INVALID_PARAMS, 'X-Upload-Content-Length must give the file size in bytes');
    }
    await this.ingest.precheck(user, body, size, body.filename);
    const id = randomBytes(16).toString('hex');
    const { filename, ...metadata } = body;
    // The part file exists from the start: its size is the upload's offset.
    await createEmptyStaged(uploadPartPath(this.config, id));
    // Without its session row the part file would wait for the hourly sweep: remove it with the row's failure.
    await UploadSessionModel.create({
      id,
      userId: user.id,
      channelId: body.channelId,
      filename,
      mimeType: mimeType ?? null,
      size,
      metadata,
      thumbnailPath: images.thumbnail ?? null,
      previewPath: images.preview ?? null,
      expiresAt: this.expiry(),
    }).catch(async (err: unknown) => {
      await removeStaged([uploadPartPath(this.config, id)]);
      throw err;
    });
    return id;
  }

  private async load(id: string, user: AuthUser): Promise<UploadSessionModel> {
    const session = /^[0-9a-f]{32}$/.test(id) ? await UploadSessionModel.findByPk(id) : null;
    if (!session || (session.expiresAt.getTime() < Date.now() && !session.videoId)) {
      if (session) await this.remove(session);
      throw notFound('Unknown or expired upload', ErrorCode.UPLOAD_NOT_FOUND);
    }
    if (session.userId !== user.id) throw forbidden('This upload belongs to another user');
    return session;
  }

  private async offsetOf(session: UploadSessionModel): Promise<number> {
    return (await stagedSize(uploadPartPath(this.config, session.id))) ?? 0;
  }

  /** One PUT: a chunk (appended as it streams) or a status query. */
  async put(id: string, user: AuthUser, range: ContentRange | null, contentLength: number | null, req: Request): Promise<ChunkResult> {
    return this.withLock(id, async () => {
      const session = await this.load(id, user);
      if (session.videoId) return this.finished(session);
      if (!range) throw badRange('Content-Range must be "bytes <first>-<last>/<total>" or "bytes */<total>"');
      if (range.total !== session.size) {
        throw new AppError(400, ErrorCode.UPLOAD_SIZE_MISMATCH, `The upload was announced with ${session.size} bytes, not ${range.total}`);
      }
      let offset = await this.offsetOf(session);
      if (range.kind === 'chunk') {
        const length = range.last - range.first + 1;
        if (contentLength !== null && contentLength !== length) throw badRange(`Content-Length ${contentLength} does not match Content-Range (${length} bytes)`);
        if (length > this.config.uploads.max_chunk_size) {
          throw new AppError(413, ErrorCode.UPLOAD_CHUNK_TOO_LARGE, `Chunks are limited to ${this.config.uploads.max_chunk_size} bytes`);
        }
        if (range.first > offset) {
          throw conflict(`Chunk starts at byte ${range.first} but the server holds ${offset} bytes`, ErrorCode.UPLOAD_RANGE_MISMATCH);
        }
        offset = await this.append(session, req, range.first, range.last, offset);
        await session.update({ expiresAt: this.expiry() });
      }
      if (offset < session.size) return { done: false, offset };
      return this.complete(session);
    });
  }

  /**
   * Appends the part of the body beyond what is held. Every byte that arrives is written, also when
   * the connection drops mid-chunk; the file is synced before its size is reported.
   */
  private async append(session: UploadSessionModel, req: Request, first: number, last: number, offset: number): Promise<number> {
    const skip = offset - first; // a re-sent chunk overlapping what is already held
    const remaining = Math.max(0, last + 1 - offset); // 0 when the whole chunk is already held
    await appendStaged(uploadPartPath(this.config, session.id), req, skip, remaining);
    return this.offsetOf(session);
  }

  private async complete(session: UploadSessionModel): Promise<ChunkResult> {
    const user = await this.users.findAuthUser(session.userId);
    if (!user) throw notFound('The user of this upload was removed', ErrorCode.UPLOAD_NOT_FOUND);
    const attrs = parseWith(videoCreateSchema, { ...session.metadata, channelId: session.channelId }, 'body');
    try {
      const video = await this.ingest.ingest({
        user,
        attrs,
        file: uploadPartPath(this.config, session.id),
        originalName: session.filename,
        thumbnailFile: session.thumbnailPath,
        previewFile: session.previewPath,
      });
      await session.update({ videoId: video.id, thumbnailPath: null, previewPath: null });
      return { done: true, video };
    } catch (err) {
      // A refused file leaves nothing: the part file is gone (ingest removed it), so is the session.
      await this.remove(session);
      throw err;
    }
  }

  private async finished(session: UploadSessionModel): Promise<ChunkResult> {
    const video = await VideoModel.findByPk(session.videoId!);
    if (!video) {
      await this.remove(session);
      throw notFound('The video of this upload was removed', ErrorCode.UPLOAD_NOT_FOUND);
    }
    return { done: true, video };
  }

  async cancel(id: string, user: AuthUser): Promise<void> {
    await this.withLock(id, async () => this.remove(await this.load(id, user)));
  }

  private async remove(session: UploadSessionModel): Promise<void> {
    await removeStaged([uploadPartPath(this.config, session.id), session.thumbnailPath, session.previewPath]);
    await session.destroy();
  }

  /** Removes expired sessions and their bytes, and part files no session knows (a crash mid-init). Run by VideosJobs. */
  async sweep(): Promise<number> {
    const expired = await UploadSessionModel.findAll({ where: { expiresAt: { [Op.lt]: new Date() } } });
    for (const s of expired) await this.withLock(s.id, () => this.remove(s));
    const dir = join(this.config.paths.tmp, 'resumable');
    const known = new Set((await UploadSessionModel.findAll({ attributes: ['id'] })).map((s) => s.id));
    await removeOldStaged(dir, this.config.uploads.resumable_expiration, (name) => {
      const id = name.replace(/\.part$/, '');
      return known.has(id) || this.locks.has(id);
    });
    return expired.length;
  }
}
