import { Global, Module } from '@nestjs/common';
import { ChannelsController } from './channels.controller';
import { ChannelRepository } from './channel.repository';
import { ChannelsService } from './channels.service';

/**
 * Video channels. Global like users: every user is created with a default channel (UsersService
 * calls ChannelsService) and channels belong to accounts (ChannelsService calls AccountsService),
 * so the two modules reach each other's services without importing each other.
 */
@Global()
@Module({
  controllers: [ChannelsController],
  providers: [ChannelsService, ChannelRepository],
  exports: [ChannelsService],
})
export class ChannelsModule {}
