export * from './errors';
export * from './video';
export * from './api';
export * from './runner';
export * from './transcoding';
export * from './activitypub';
export * from './p2p';
