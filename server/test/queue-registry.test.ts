import 'reflect-metadata';
import { createRequire } from 'node:module';
import IORedis from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { z } from 'zod';

/**
 * The queue registry's boot check on a real Nest application context (the built server's
 * classes, as the server runs them): exactly one `@OnJob` handler per declared job. The check
 * runs before any queue is opened; a registry that passes it opens its queues on Redis under a
 * prefix of its own, removed afterwards.
 */
const require = createRequire(import.meta.url);
const { DiscoveryModule, NestFactory } = require('@nestjs/core') as typeof import('@nestjs/core');
const { Injectable, Module } = require('@nestjs/common') as typeof import('@nestjs/common');
const { QueueRegistry, JOB_DECLARATIONS } = require('../dist/platform/queues/queue-registry.service.js') as typeof import('../src/platform/queues/queue-registry.service');
const { defineJob, OnJob } = require('../dist/platform/queues/job-definition.js') as typeof import('../src/platform/queues/job-definition');
const { CONFIG } = require('../dist/common/tokens.js') as typeof import('../src/common/tokens');
// The failed job below is logged as a warning by design; not in the test output.
(require('../dist/common/logger.js') as typeof import('../src/common/logger')).logger.level = 'silent';

const prefix = `flotilla_test_registry_${process.pid}`;
const config = { redis: { hostname: '127.0.0.1', port: 6379, db: 0, password: null, prefix } };

const ping = defineJob({ queue: 'check', name: 'ping', schema: z.object({}) });
const pong = defineJob({ queue: 'check', name: 'pong', schema: z.object({}) });

/** A provider class whose methods handle these jobs (decorators applied by hand: this file is not compiled by tsc). */
function handlerClass(name: string, defs: Array<typeof ping>): new () => object {
  const cls = { [name]: class {} }[name];
  defs.forEach((def, i) => {
    const method = `handle${i}`;
    Object.defineProperty(cls.prototype, method, { value: () => undefined, writable: true, configurable: true });
    OnJob(def)(cls.prototype, method, Object.getOwnPropertyDescriptor(cls.prototype, method)!);
  });
  Injectable()(cls);
  return cls;
}

describe('queue registry payloads', () => {
  it('parses payloads when enqueued and again when processed', async () => {
    const echo = defineJob({ queue: 'check', name: 'echo', schema: z.object({ n: z.number().int() }).strict() });
    const received: unknown[] = [];
    const cls = class Echo {};
    Object.defineProperty(cls.prototype, 'run', { value: (p: unknown) => void received.push(p), writable: true, configurable: true });
    OnJob(echo)(cls.prototype, 'run', Object.getOwnPropertyDescriptor(cls.prototype, 'run')!);
    Injectable()(cls);
    const root = class EchoModule {};
    Module({ imports: [DiscoveryModule], providers: [QueueRegistry, cls, { provide: CONFIG, useValue: config }, { provide: JOB_DECLARATIONS, useValue: [echo] }] })(root);
    const app = await NestFactory.createApplicationContext(root, { logger: false });
    try {
      const registry = app.get(QueueRegistry);
      await expect(registry.add(echo, { n: 'one' } as never)).rejects.toThrow(/expected number/i);
      await registry.add(echo, { n: 1 });
      await waitUntil(() => received.length === 1);
      expect(received).toEqual([{ n: 1 }]);

      // A job written behind the registry's back (an older version, a hand edit) never reaches the handler.
      const queue = registry.queue('check');
      const raw = await queue.add('echo', { n: 2, extra: true });
      await waitUntil(async () => (await queue.getJob(raw.id))?.failedReason !== undefined);
      expect((await queue.getJob(raw.id))!.failedReason).toMatch(/unrecognized key/i);
      expect(received).toHaveLength(1);
    } finally {
      await app.close();
    }
  });
});

async function waitUntil(fn: () => boolean | Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await fn())) {
    if (Date.now() > end) throw new Error(`not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function boot(declared: Array<typeof ping>, handlers: Array<new () => object>): Promise<string | null> {
  const root = class CheckModule {};
  Module({ imports: [DiscoveryModule], providers: [QueueRegistry, ...handlers, { provide: CONFIG, useValue: config }, { provide: JOB_DECLARATIONS, useValue: declared }] })(root);
  try {
    const app = await NestFactory.createApplicationContext(root, { logger: false, abortOnError: false });
    await app.close();
    return null;
  } catch (err) {
    return (err as Error).message;
  }
}

describe('queue registry boot check', () => {
  afterAll(async () => {
    const redis = new IORedis({ host: '127.0.0.1', port: 6379 });
    const keys = await redis.keys(`${prefix}*`);
    if (keys.length) await redis.del(...keys);
    redis.disconnect();
  });

  it('accepts one handler per declared job', async () => {
    expect(await boot([ping, pong], [handlerClass('Both', [ping, pong])])).toBeNull();
  });

  it('closes while its queues start without an unhandled rejection', async () => {
    // bull names the worker connection in the background when processing starts; a close at
    // that moment used to reject that promise with nobody listening (a red CI run).
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => void unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      for (let i = 0; i < 80; i++) expect(await boot([ping, pong], [handlerClass(`Both${i}`, [ping, pong])])).toBeNull();
      await new Promise((r) => setTimeout(r, 300));
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
    expect(unhandled).toEqual([]);
  });

  it('refuses a declared job without a handler, naming it', async () => {
    expect(await boot([ping, pong], [handlerClass('OnlyPing', [ping])])).toBe('job check/pong is declared but has no handler (@OnJob)');
  });

  it('refuses a job with two handlers, naming both', async () => {
    expect(await boot([ping], [handlerClass('First', [ping]), handlerClass('Second', [ping])])).toBe('job check/ping has 2 handlers: First.handle0, Second.handle0');
  });

  it('refuses a handler for a job nobody declared', async () => {
    expect(await boot([ping], [handlerClass('Extra', [ping, pong])])).toBe('job check/pong has a handler (Extra.handle1) but is not declared');
  });
});
