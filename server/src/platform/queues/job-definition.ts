import { SetMetadata } from '@nestjs/common';
import type { z } from 'zod';
import type { AppConfig } from '../../config/config';

export interface JobOptions {
  /** Tries before the job stays failed (1: no retry). */
  attempts?: number;
  /** Wait between tries: fixed or exponential from `delay` ms. */
  backoff?: { type: 'fixed' | 'exponential'; delay: number };
  /**
   * A repeatable job, added at boot by every process (bull keeps one per interval for all of
   * them). The interval may depend on the configuration.
   */
  repeat?: { every: number | ((config: AppConfig) => number) };
  /** How many of this job one process runs at once. */
  concurrency?: number;
}

/** One job, declared once: its queue, its name (the `jobType` admins filter on), its payload and options. */
export interface JobDefinition<S extends z.ZodType = z.ZodType> {
  queue: string;
  name: string;
  schema: S;
  options: JobOptions;
}

export type JobPayload<D extends JobDefinition> = z.input<D['schema']>;

export function defineJob<S extends z.ZodType>(def: { queue: string; name: string; schema: S; options?: JobOptions }): JobDefinition<S> {
  if (!/^[a-z0-9-]{1,50}$/.test(def.queue) || !/^[a-z0-9-]{1,50}$/.test(def.name)) {
    throw new Error(`job queue and name must be kebab-case: ${def.queue}/${def.name}`);
  }
  return { ...def, options: def.options ?? {} };
}

export const jobKey = (def: Pick<JobDefinition, 'queue' | 'name'>) => `${def.queue}/${def.name}`;

export const ON_JOB_METADATA = 'flotilla:on-job';

/**
 * Marks a provider method as the handler of a declared job (immich's `@OnJob`). It receives the
 * payload, already parsed with the job's schema. The queue registry finds these at boot.
 */
export const OnJob = (def: JobDefinition) => SetMetadata(ON_JOB_METADATA, def);
