export * from './common';
export * from './users';
export * from './channels';
export * from './videos';
export * from './socket-events';
export * from './jobs';
export * from './server-config';
export * from './text';
