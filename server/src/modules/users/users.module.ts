import { Global, Module } from '@nestjs/common';
import { AccountRepository } from './account.repository';
import { AccountsController } from './accounts.controller';
import { AccountsService } from './accounts.service';
import { UserBlocksController } from './user-blocks.controller';
import { UserBlocksService } from './user-blocks.service';
import { UserCredentials } from './user-credentials.service';
import { NotificationRecipients } from './notification-recipients.repository';
import { UserEmailsController } from './user-emails.controller';
import { UserEmailsService } from './user-emails.service';
import { UsersController } from './users.controller';
import { UsersService } from './users.service';

/** Users and their accounts (each user is created with its account; channels are ChannelsModule's). */
@Global()
@Module({
  controllers: [UserEmailsController, UsersController, UserBlocksController, AccountsController],
  providers: [UsersService, AccountsService, AccountRepository, UserBlocksService, UserEmailsService, UserCredentials, NotificationRecipients],
  exports: [UsersService, AccountsService, UserCredentials, NotificationRecipients],
})
export class UsersModule {}
