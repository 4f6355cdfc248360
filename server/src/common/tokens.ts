/** Dependency-injection tokens for the process-wide resources. */
export const CONFIG = Symbol('CONFIG');
export const SEQUELIZE = Symbol('SEQUELIZE');
export const REDIS = Symbol('REDIS');
