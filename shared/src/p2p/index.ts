export * from './swarm-ids';
