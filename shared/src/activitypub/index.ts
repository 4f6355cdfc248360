export * from './context';
export * from './actor';
