import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { Transaction } from 'sequelize';
import type { ProbeSummary } from '@flotilla/shared';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { PREVIEW_SIZE, THUMBNAIL_SIZE } from './file-paths';
import { MediaFilesRepository, type ThumbnailValues } from './media-files.repository';
import { extractFrame, placeholderImage, resizeImage } from './media-tools';
import { ThumbnailType } from './thumbnail.model';
import { removeStaged, stagingFolder } from './upload-staging';
import { STORAGE_PROVIDER, type StorageKey, type StorageProvider } from './providers/storage-provider';

export const thumbnailArea = (type: number) => (type === ThumbnailType.MINIATURE ? 'thumbnails' : 'previews') as 'thumbnails' | 'previews';

const sizeOf = (type: number) => (type === ThumbnailType.MINIATURE ? THUMBNAIL_SIZE : PREVIEW_SIZE);

/**
 * Images of videos (miniature, preview) and actors (avatars, banners): rendered into the staging
 * area by ffmpeg or sharp, then stored.
 */
@Injectable()
export class ImageFilesService {
  private readonly staging: string;

  constructor(
    @Inject(CONFIG) config: AppConfig,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    private readonly repo: MediaFilesRepository,
  ) {
    this.staging = stagingFolder(config, 'images');
  }

  /** Renders a file with `render` (given a local path) and stores it under `key`. */
  async storeRendered(key: StorageKey, render: (localPath: string) => Promise<void>): Promise<void> {
    const local = join(this.staging, `${randomUUID()}${key.name.slice(key.name.lastIndexOf('.'))}`);
    try {
      await render(local);
      await this.storage.moveFileIn(local, key);
    } finally {
      await removeStaged([local]);
    }
  }

  /** Stores an image already rendered in memory (decoded first, so a bad upload never reaches storage). */
  storeBuffer(key: StorageKey, content: Buffer): Promise<void> {
    return this.storage.writeObject(key, content);
  }

  async remove(keys: StorageKey[]): Promise<void> {
    await Promise.all(keys.map((k) => this.storage.remove(k).catch(() => undefined)));
  }

  /**
   * A new video's miniature or preview: an uploaded image resized, else a frame of the (staged)
   * video, else (audio only) a placeholder. The key is pushed to `made` before it is written.
   */
  async makeVideoImage(type: number, source: { uploaded?: string | null; video: string; probe: ProbeSummary }, made: StorageKey[]): Promise<ThumbnailValues> {
    const size = sizeOf(type);
    const filename = `${randomUUID()}.jpg`;
    const key: StorageKey = { area: thumbnailArea(type), name: filename };
    made.push(key);
    await this.storeRendered(key, async (out) => {
      if (source.uploaded) await resizeImage(source.uploaded, out, size);
      else if (source.probe.video) await extractFrame(source.video, out, size, source.probe.duration);
      else await placeholderImage(out, size);
    });
    return { type, filename, ...size, automaticallyGenerated: !source.uploaded };
  }

  /**
   * A video without frames yet (a live): its miniature from the uploaded `thumbnail`, its preview
   * from the uploaded `preview` (else the thumbnail, as uploads do), placeholders for the others, as
   * PeerTube gives its lives a default picture (its Video objects need an `icon`: without one
   * PeerTube refuses the video). Rows are written in `transaction`; on failure (an upload that is
   * not an image: 400) no stored file is left.
   */
  async makeImagesWithoutFrames(video: { id: number }, uploads: { thumbnail?: string; preview?: string }, transaction?: Transaction): Promise<void> {
    const made: StorageKey[] = [];
    const rows: ThumbnailValues[] = [];
    try {
      for (const [type, uploaded] of [[ThumbnailType.MINIATURE, uploads.thumbnail], [ThumbnailType.PREVIEW, uploads.preview ?? uploads.thumbnail]] as const) {
        const key: StorageKey = { area: thumbnailArea(type), name: `${randomUUID()}.jpg` };
        made.push(key);
        await this.storeRendered(key, (out) => (uploaded ? resizeImage(uploaded, out, sizeOf(type)) : placeholderImage(out, sizeOf(type))));
        rows.push({ type, filename: key.name, ...sizeOf(type), automaticallyGenerated: !uploaded });
      }
      await this.repo.createThumbnails(video.id, rows, transaction);
    } catch (err) {
      await this.remove(made);
      throw err;
    }
  }

  /**
   * The pictures of a video made from another one (a permanent live's replay): those the owner
   * uploaded to `from` are made again from the stored files (PeerTube copies them), the others are
   * frames of `source`, the new video's staged file. On failure no stored file is left.
   */
  async makeDerivedImages(from: { id: number }, to: { id: number }, source: { video: string; probe: ProbeSummary }): Promise<void> {
    const made: StorageKey[] = [];
    const rows: ThumbnailValues[] = [];
    try {
      for (const type of [ThumbnailType.MINIATURE, ThumbnailType.PREVIEW]) {
        const own = await this.repo.thumbnail(from.id, type);
        const row =
          own?.automaticallyGenerated === false
            ? await this.storage.withLocalFile({ area: thumbnailArea(type), name: own.filename }, (uploaded) => this.makeVideoImage(type, { ...source, uploaded }, made))
            : await this.makeVideoImage(type, source, made);
        rows.push(row);
      }
      await this.repo.createThumbnails(to.id, rows);
    } catch (err) {
      await this.remove(made);
      throw err;
    }
  }

  /**
   * Resizes an uploaded image of a video (PUT /videos/:id) into a new stored file and removes the
   * upload; nothing the video shows changes yet (useVideoImage does that). A refused image leaves
   * no file behind.
   */
  async prepareVideoImage(video: { uuid: string }, type: number, uploaded: string): Promise<string> {
    const size = sizeOf(type);
    const filename = `${video.uuid}-${randomUUID()}.jpg`;
    try {
      await this.storeRendered({ area: thumbnailArea(type), name: filename }, (out) => resizeImage(uploaded, out, size));
    } finally {
      await removeStaged([uploaded]);
    }
    return filename;
  }

  /** Points the video at a prepared image and removes the one it replaces. */
  async useVideoImage(video: { id: number }, type: number, filename: string): Promise<void> {
    const existing = await this.repo.thumbnail(video.id, type);
    if (existing) {
      const old = existing.filename;
      await existing.update({ filename, automaticallyGenerated: false });
      await this.remove([{ area: thumbnailArea(type), name: old }]);
    } else {
      await this.repo.createThumbnails(video.id, [{ type, filename, ...sizeOf(type), automaticallyGenerated: false }]);
    }
  }

  /**
   * A live that became its own replay: the pictures the server made (placeholders) give way to
   * frames of the replay, as PeerTube does; those the owner uploaded stay. A picture that cannot be
   * made leaves the old one.
   */
  async replaceGeneratedImages(video: { id: number }, source: { video: string; probe: ProbeSummary }): Promise<void> {
    if (!source.probe.video) return;
    for (const type of [ThumbnailType.MINIATURE, ThumbnailType.PREVIEW]) {
      const existing = await this.repo.thumbnail(video.id, type);
      if (existing?.automaticallyGenerated === false) continue;
      const made: StorageKey[] = [];
      try {
        const row = await this.makeVideoImage(type, source, made);
        if (existing) {
          const old = existing.filename;
          await existing.update({ filename: row.filename, automaticallyGenerated: true });
          await this.remove([{ area: thumbnailArea(type), name: old }]);
        } else {
          await this.repo.createThumbnails(video.id, [row]);
        }
      } catch (err) {
        await this.remove(made);
        throw err;
      }
    }
  }

  /** Removes prepared images that will not be used, and uploads never prepared. */
  async discardVideoImages(prepared: Array<{ type: number; filename: string }>, uploads: string[]): Promise<void> {
    await this.remove(prepared.map((p) => ({ area: thumbnailArea(p.type), name: p.filename })));
    await removeStaged(uploads);
  }
}
