export * from './resolutions';
export * from './bitrate';
export * from './profile';
export * from './probe';
export * from './stream-copy';
export * from './ffmpeg-args';
export * from './input-guard';
