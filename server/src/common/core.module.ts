import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Sequelize } from 'sequelize';
import type { AppConfig } from '../config/config';
import { CONFIG, REDIS, SEQUELIZE } from './tokens';

/** Makes config, the database and Redis injectable everywhere; they are created before Nest boots. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, sequelize: Sequelize, redis: Redis): DynamicModule {
    return {
      module: CoreModule,
      providers: [
        { provide: CONFIG, useValue: config },
        { provide: SEQUELIZE, useValue: sequelize },
        { provide: REDIS, useValue: redis },
      ],
      exports: [CONFIG, SEQUELIZE, REDIS],
    };
  }
}
