export * from './job-state';
export * from './job-types';
export * from './constants';
export * from './socket';
export * from './payloads';
export * from './private-payloads';
export * from './bodies';
