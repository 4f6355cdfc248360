import { Inject, Injectable, type OnApplicationBootstrap, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import Queue from 'bull';
import IORedis from 'ioredis';
import { logger } from '../../common/logger';
import { redisKey, redisOptions } from '../../common/redis';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { jobKey, ON_JOB_METADATA, type JobDefinition, type JobPayload } from './job-definition';

/** Every job the server knows, provided by the app module (features declare them beside their handlers). */
export const JOB_DECLARATIONS = Symbol('JOB_DECLARATIONS');

type Handler = (payload: unknown) => unknown;

/** Completed and failed jobs kept for the admins' job list (bull removes older ones). */
const KEEP_COMPLETED = 100;
const KEEP_FAILED = 100;

/**
 * The bull queues, built from the job declarations. At boot every declared job must have exactly
 * one `@OnJob` handler among the providers, or the server refuses to start naming the job.
 * Payloads are parsed with the job's schema when enqueued and again when processed (a job written
 * by an older version must not reach a handler unchecked).
 */
@Injectable()
export class QueueRegistry implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  private readonly queues = new Map<string, Queue.Queue>();
  private readonly handlers = new Map<string, Handler>();
  private readonly definitions = new Map<string, JobDefinition>();
  private closing = false;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(JOB_DECLARATIONS) declarations: JobDefinition[],
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly reflector: Reflector,
  ) {
    for (const def of declarations) {
      if (this.definitions.has(jobKey(def))) throw new Error(`job ${jobKey(def)} is declared twice`);
      this.definitions.set(jobKey(def), def);
    }
  }

  /** The boot check: runs before anything is queued or processed. */
  onModuleInit(): void {
    const found = new Map<string, string[]>();
    const bound = new Map<string, Handler>();
    for (const wrapper of this.discovery.getProviders()) {
      const instance = wrapper.instance as Record<string, unknown> | undefined;
      if (!instance || typeof instance !== 'object' || !wrapper.isDependencyTreeStatic()) continue;
      const prototype = Object.getPrototypeOf(instance) as object;
      for (const method of this.scanner.getAllMethodNames(prototype)) {
        const fn = instance[method];
        if (typeof fn !== 'function') continue;
        const def = this.reflector.get<JobDefinition | undefined>(ON_JOB_METADATA, fn as Handler);
        if (!def) continue;
        const key = jobKey(def);
        found.set(key, [...(found.get(key) ?? []), `${wrapper.name}.${method}`]);
        bound.set(key, (fn as Handler).bind(instance));
      }
    }
    for (const key of this.definitions.keys()) {
      const owners = found.get(key) ?? [];
      if (owners.length === 0) throw new Error(`job ${key} is declared but has no handler (@OnJob)`);
      if (owners.length > 1) throw new Error(`job ${key} has ${owners.length} handlers: ${owners.join(', ')}`);
      this.handlers.set(key, bound.get(key)!);
    }
    for (const [key, owners] of found) {
      if (!this.definitions.has(key)) throw new Error(`job ${key} has a handler (${owners.join(', ')}) but is not declared`);
    }
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const def of this.definitions.values()) {
      const queue = this.queue(def.queue);
      const handler = this.handlers.get(jobKey(def))!;
      // bull's promise settles only when the queue stops; a close mid-start rejects it, which is no fault.
      queue.process(def.name, def.options.concurrency ?? 1, (job) => handler(def.schema.parse(job.data))).catch((err: Error) => {
        if (!this.closing) logger.error({ err, job: jobKey(def) }, 'cannot process queue job');
      });
    }
    for (const queue of this.queues.values()) await this.scheduleRepeats(queue);
  }

  /** Queues a declared job; the payload is checked against the job's schema first (throws if it does not fit). */
  async add<D extends JobDefinition>(def: D, payload: JobPayload<D>, opts: { delay?: number; priority?: number; jobId?: string } = {}): Promise<void> {
    const declared = this.definitions.get(jobKey(def));
    if (!declared) throw new Error(`job ${jobKey(def)} is not declared`);
    const data = declared.schema.parse(payload) as object;
    await this.queue(def.queue).add(def.name, data, { ...this.jobOptions(declared), ...opts });
  }

  /** The declared jobs, for the admin list. */
  declared(): JobDefinition[] {
    return [...this.definitions.values()];
  }

  /** The bull queue of a declared queue name. */
  queue(name: string): Queue.Queue {
    let queue = this.queues.get(name);
    if (queue) return queue;
    const base = redisOptions(this.config);
    queue = new Queue(name, {
      prefix: redisKey(this.config, 'bull'),
      // bull's blocking and subscriber connections must retry forever (bull refuses them otherwise).
      createClient: (type) =>
        new IORedis(type === 'client' ? base : { ...base, maxRetriesPerRequest: null, enableReadyCheck: false }),
      defaultJobOptions: { removeOnComplete: KEEP_COMPLETED, removeOnFail: KEEP_FAILED, attempts: 1 },
    });
    // bull 4 names the worker connection from process() without handling the returned promise: a
    // queue closed at that moment ("Connection is closed.") became an unhandled rejection.
    const setWorkerName = queue.setWorkerName.bind(queue);
    queue.setWorkerName = () =>
      setWorkerName().catch((err: Error) => {
        if (!this.closing) logger.warn({ err, queue: name }, 'cannot name the queue worker connection');
      });
    queue.on('error', (err) => logger.error({ err, queue: name }, 'queue error'));
    queue.on('failed', (job, err) => logger.warn({ err, queue: name, job: job.name }, 'job failed'));
    this.queues.set(name, queue);
    return queue;
  }

  private jobOptions(def: JobDefinition): Queue.JobOptions {
    return { attempts: def.options.attempts ?? 1, backoff: def.options.backoff };
  }

  private every(def: JobDefinition): number | null {
    const every = def.options.repeat?.every;
    if (every === undefined) return null;
    return typeof every === 'function' ? every(this.config) : every;
  }

  /**
   * Adds the repeatable jobs (a no-op when they exist: every process does it at boot) and removes
   * the repeat entries left by an older configuration or a job that is no longer declared.
   */
  private async scheduleRepeats(queue: Queue.Queue): Promise<void> {
    const wanted = new Map<string, number>();
    for (const def of this.definitions.values()) {
      const every = this.every(def);
      if (def.queue === queue.name && every !== null) wanted.set(def.name, every);
    }
    for (const r of await queue.getRepeatableJobs()) {
      if (wanted.get(r.name) !== Number(r.every)) await queue.removeRepeatableByKey(r.key);
    }
    for (const [name, every] of wanted) {
      const def = this.definitions.get(jobKey({ queue: queue.name, name }))!;
      await queue.add(name, def.schema.parse({}) as object, { ...this.jobOptions(def), repeat: { every } });
    }
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => undefined)));
    this.queues.clear();
  }
}
