import { Module } from '@nestjs/common';
import { ServerConfigModule } from '../server-config/server-config.module';
import { CustomConfigController } from './custom-config.controller';
import { CustomConfigRepository } from './custom-config.repository';
import { CustomConfigService } from './custom-config.service';

/** The instance settings administrators edit in the UI (PeerTube's custom config). */
@Module({
  imports: [ServerConfigModule],
  controllers: [CustomConfigController],
  providers: [CustomConfigService, CustomConfigRepository],
  exports: [CustomConfigService],
})
export class CustomConfigModule {}
