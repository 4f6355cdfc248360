import { Controller, Get } from '@nestjs/common';
import { ServerConfigService } from './server-config.service';

@Controller('api/v1/config')
export class ServerConfigController {
  /** Built once: the config does not change while the process runs. */
  private readonly cached: ReturnType<ServerConfigService['build']>;
  constructor(private readonly service: ServerConfigService) {
    this.cached = service.build();
  }

  @Get()
  get() {
    return this.cached;
  }

  @Get('about')
  about() {
    return this.service.about();
  }
}
