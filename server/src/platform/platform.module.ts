import { Global, Module, type DynamicModule, type Type } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { z } from 'zod';
import { CONFIG } from '../common/tokens';
import type { AppConfig } from '../config/config';
import { EventBus } from './events/event-bus.service';
import { OutgoingHttp } from './http/outgoing-http';
import { MAIL_JOBS } from './mail/mail.jobs';
import { Mailer } from './mail/mailer.service';
import { defineJob, type JobDefinition } from './queues/job-definition';
import { JobsAdminService } from './queues/jobs-admin.service';
import { JobsController } from './queues/jobs.controller';
import { JOB_DECLARATIONS, QueueRegistry } from './queues/queue-registry.service';
import { LiveVideosNamespace } from './sockets/live-videos.namespace';
import { SocketServer } from './sockets/socket-server.service';
import { AccessTokenAuthenticator, UserNotificationsNamespace } from './sockets/user-notifications.namespace';

export interface PlatformOptions {
  /** Every queue job of every feature (each declared beside its `@OnJob` handler). */
  jobs: JobDefinition[];
  /** Resolves OAuth access tokens for `/user-notifications` (the auth feature's service). */
  accessTokens: Type<AccessTokenAuthenticator>;
}

/**
 * What every feature uses, injected: the queue registry, the socket.io server and its shared
 * namespaces, the domain event bus, the outgoing HTTP client. Global, so features inject these
 * without importing the module; it imports no feature (the app module hands it what it needs).
 */
@Global()
@Module({})
export class PlatformModule {
  static forRoot(config: AppConfig, options: PlatformOptions): DynamicModule {
    // The platform's own jobs (e-mail) beside every feature's.
    const jobs = [...Object.values(MAIL_JOBS), ...options.jobs];
    // A test-only switch (NODE_ENV=test): one more declared job that nothing handles, so that a
    // test can see the server refuse to boot naming it.
    if (config.testUnhandledJob) {
      jobs.push(defineJob({ queue: 'test', name: config.testUnhandledJob, schema: z.object({}) }));
    }
    return {
      module: PlatformModule,
      imports: [DiscoveryModule],
      controllers: [JobsController],
      providers: [
        { provide: JOB_DECLARATIONS, useValue: jobs },
        { provide: AccessTokenAuthenticator, useExisting: options.accessTokens },
        {
          provide: OutgoingHttp,
          useFactory: (c: AppConfig) => new OutgoingHttp({ preventSsrf: c.federation.prevent_ssrf, userAgent: `Flotilla (+${c.webserverUrl})` }),
          inject: [CONFIG],
        },
        EventBus,
        Mailer,
        QueueRegistry,
        JobsAdminService,
        SocketServer,
        UserNotificationsNamespace,
        LiveVideosNamespace,
      ],
      exports: [EventBus, Mailer, QueueRegistry, SocketServer, UserNotificationsNamespace, LiveVideosNamespace, OutgoingHttp],
    };
  }
}
