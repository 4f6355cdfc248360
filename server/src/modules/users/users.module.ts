import { Global, Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users and their accounts (each user is created with its account; channels are ChannelsModule's). */
@Global()
@Module({
  controllers: [UsersController, AccountsController],
  providers: [UsersService, AccountsService, AccountRepository],
  exports: [UsersService, AccountsService],
})
export class UsersModule {}
