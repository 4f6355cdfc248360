import { Global, Module } from '@nestjs/common';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';
import { ChannelsController } from '../channels/channels.controller';
import { ChannelsService } from '../channels/channels.service';

/** Users, their accounts and channels: one module, since each user is created with all three. */
@Global()
@Module({
  controllers: [UsersController, AccountsController, ChannelsController],
  providers: [UsersService, AccountsService, ChannelsService],
  exports: [UsersService, AccountsService, ChannelsService],
})
export class UsersModule {}
