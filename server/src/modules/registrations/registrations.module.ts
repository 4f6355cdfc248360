import { Module } from '@nestjs/common';
import { RegistrationRepository } from './registration.repository';
import { RegistrationsController } from './registrations.controller';
import { RegistrationsService } from './registrations.service';

/** Registration requests (PeerTube 5.1): sign-up with a moderator's approval. */
@Module({
  controllers: [RegistrationsController],
  providers: [RegistrationsService, RegistrationRepository],
})
export class RegistrationsModule {}
