import { Global, Module } from '@nestjs/common';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { HlsStorageService } from './hls-storage.service';
import { MediaFilesRepository } from './media-files.repository';
import { createStorageProvider } from './providers/create-storage-provider';
import { STORAGE_PROVIDER } from './providers/storage-provider';
import { ImageFilesService } from './image-files.service';
import { LiveHlsStorageService } from './live-hls-storage.service';
import { WebVideoFilesService } from './web-video-files.service';
import { RemoteFilesService } from './remote-files.service';

/**
 * Media files beneath videos, transcoding and (next) live: paths, probing, web video files, the
 * HLS folder, images and sweeps, all stored through the StorageProvider port. Global: every
 * feature module that handles files reaches it without importing it.
 */
@Global()
@Module({
  providers: [
    { provide: STORAGE_PROVIDER, inject: [CONFIG], useFactory: (config: AppConfig) => createStorageProvider(config) },
    MediaFilesRepository,
    HlsStorageService,
    WebVideoFilesService,
    ImageFilesService,
    LiveHlsStorageService,
    RemoteFilesService,
  ],
  exports: [STORAGE_PROVIDER, MediaFilesRepository, HlsStorageService, WebVideoFilesService, ImageFilesService, RemoteFilesService, LiveHlsStorageService],
})
export class MediaFilesModule {}
