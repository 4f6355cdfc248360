// videos' public surface beside videos.service.ts: the video model's type (for runner-job results).
export type { VideoModel } from './video.model';
export { toShortUuid } from './video-access';
export type { ListScope } from './video-query';
export { FileCreds } from './file-credentials.decorator';
export { VideoImagesInterceptor, type MultipartRequest } from './video-upload.interceptor';
