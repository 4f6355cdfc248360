import { Body, Controller, Delete, Get, HttpCode, Put } from '@nestjs/common';
import { customConfigSchema, type CustomConfig, type CustomConfigUpdate } from '@flotilla/shared';
import { UserRight } from '../../common/rights';
import { zod } from '../../common/zod.pipe';
import { Authenticated } from '../auth';
import { CustomConfigService } from './custom-config.service';

/** PeerTube's `/api/v1/config/custom` (administrators: MANAGE_SERVER). */
@Controller('api/v1/config/custom')
export class CustomConfigController {
  constructor(private readonly service: CustomConfigService) {}

  @Get()
  @Authenticated(UserRight.MANAGE_SERVER)
  get(): CustomConfig {
    return this.service.get();
  }

  /** 200 with the new config (PeerTube answers the same); a bad field is a 400 naming it, nothing saved. */
  @Put()
  @Authenticated(UserRight.MANAGE_SERVER)
  update(@Body(zod(customConfigSchema)) body: CustomConfigUpdate): Promise<CustomConfig> {
    return this.service.update(body);
  }

  /** Back to the configuration files' values; 200 with them, as PeerTube answers. */
  @Delete()
  @HttpCode(200)
  @Authenticated(UserRight.MANAGE_SERVER)
  async reset(): Promise<CustomConfig> {
    await this.service.reset();
    return this.service.get();
  }
}
