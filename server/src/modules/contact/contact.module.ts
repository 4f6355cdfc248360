import { Module } from '@nestjs/common';
import { ContactController } from './contact.controller';
import { ContactService } from './contact.service';

/** The about page's contact form (PeerTube's `POST /api/v1/server/contact`). */
@Module({
  controllers: [ContactController],
  providers: [ContactService],
})
export class ContactModule {}
