export * from './common';
export * from './users';
export * from './channels';
export * from './videos';
export * from './text';
