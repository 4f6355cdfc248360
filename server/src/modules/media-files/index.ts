// media-files' public surface beside its *.service.ts files. Everything a video's files need goes
// through here: paths and URLs, probing, staging of uploads, the storage port, sweeps, the rows
// (models exported for other modules' associations and includes; queries stay in the repository).
export { hlsFileUrl, isSafeFilename, isUuid, magnetUri, needsFileToken, STATIC_PATHS, trackerUrls, uploadPartPath, webVideoUrl } from './file-paths';
export { localFileExists, writePrivateFile } from './local-files';
export { MediaFilesRepository } from './media-files.repository';
export { probeFile, probeMedia, resolutionOf } from './media-tools';
export { STORAGE_PROVIDER, type StorageArea, type StorageKey, type StorageProvider } from './providers/storage-provider';
export { sweepOrphanFiles } from './storage-sweep';
export { removeStoredVideoFiles } from './stored-video-files';
export { ThumbnailModel, ThumbnailType } from './thumbnail.model';
export {
  appendStaged,
  createEmptyStaged,
  ensureStagingFolder,
  regularFileInside,
  removeOldStaged,
  removeStaged,
  stagedSize,
  stagingFolder,
} from './upload-staging';
export { VideoFileModel } from './video-file.model';
export { VideoSourceModel } from './video-source.model';
export { VideoStreamingPlaylistModel } from './video-streaming-playlist.model';
