import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import type { Sequelize } from 'sequelize';
import { ErrorCode, type ActorImage } from '@flotilla/shared';
import { AppError } from '../../common/app-error';
import { imageTooLarge } from '../../common/upload';
import { decodeUploadedImage } from '../../common/image-errors';
import { SEQUELIZE } from '../../common/tokens';
import { EventBus } from '../../platform/events/event-bus.service';
import { ImageFilesService } from '../media-files/image-files.service';
import { ActorImageModel, ActorImageType, ActorModel } from './actor.model';
import { ActorsService } from './actors.service';

export const IMAGE_MAX_SIZE = 4 * 1024 * 1024;
export const IMAGE_EXTENSIONS = ['.png', '.jpeg', '.jpg', '.gif', '.webp'];

/** Sizes PeerTube clients pick from: small for lists, large for profile pages. */
const SIZES: Record<number, Array<{ width: number; height: number }>> = {
  [ActorImageType.AVATAR]: [
    { width: 48, height: 48 },
    { width: 120, height: 120 },
    { width: 600, height: 600 },
  ],
  [ActorImageType.BANNER]: [
    { width: 600, height: 100 },
    { width: 1920, height: 317 },
  ],
};

export interface UploadedImage {
  buffer: Buffer;
  size: number;
  originalname: string;
}

@Injectable()
export class ActorImagesService {
  constructor(
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly actors: ActorsService,
    private readonly images: ImageFilesService,
    private readonly events: EventBus,
  ) {}

  /** Replaces an actor's avatar or banner with resized copies of an uploaded image. */
  async replace(actorId: number, type: number, file: UploadedImage | undefined): Promise<ActorImage[]> {
    if (!file) throw new AppError(400, ErrorCode.INVALID_PARAMS, `Missing ${type === ActorImageType.AVATAR ? 'avatarfile' : 'bannerfile'}`);
    if (file.size > IMAGE_MAX_SIZE) throw imageTooLarge(IMAGE_MAX_SIZE);
    let meta: sharp.Metadata;
    try {
      meta = await sharp(file.buffer).metadata();
    } catch {
      throw new AppError(400, ErrorCode.INVALID_IMAGE, 'The file is not a readable image');
    }
    if (!meta.format || !['png', 'jpeg', 'gif', 'webp'].includes(meta.format)) {
      throw new AppError(400, ErrorCode.INVALID_IMAGE, 'Image must be PNG, JPEG, GIF or WebP');
    }
    const written: string[] = [];
    try {
      const rows: Array<{ filename: string; width: number; height: number }> = [];
      for (const size of SIZES[type]) {
        const filename = `${randomUUID()}.webp`;
        const webp = await decodeUploadedImage(() =>
          sharp(file.buffer, { animated: false }).resize(size.width, size.height, { fit: 'cover' }).webp({ quality: 85 }).toBuffer(),
        );
        written.push(filename);
        await this.images.storeBuffer({ area: 'avatars', name: filename }, webp);
        rows.push({ filename, ...size });
      }
      const old = await ActorImageModel.findAll({ where: { actorId, type } });
      await this.sequelize.transaction(async (t) => {
        await ActorImageModel.destroy({ where: { actorId, type }, transaction: t });
        await ActorImageModel.bulkCreate(rows.map((r) => ({ ...r, actorId, type })), { transaction: t });
      });
      await this.removeFiles(old.map((o) => o.filename));
    } catch (err) {
      await this.removeFiles(written);
      throw err;
    }
    this.events.emit('actor.updated', { actorId });
    const actor = await ActorModel.findByPk(actorId, { include: [{ model: ActorImageModel, as: 'Images' }] });
    return this.actors.formatImages(actor!, type);
  }

  async remove(actorId: number, type: number): Promise<void> {
    const old = await ActorImageModel.findAll({ where: { actorId, type } });
    await ActorImageModel.destroy({ where: { actorId, type } });
    await this.removeFiles(old.map((o) => o.filename));
    if (old.length > 0) this.events.emit('actor.updated', { actorId });
  }

  private async removeFiles(names: string[]): Promise<void> {
    await this.images.remove(names.map((name) => ({ area: 'avatars' as const, name })));
  }
}
