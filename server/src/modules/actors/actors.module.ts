import { Global, Module } from '@nestjs/common';
import { ActorImagesService } from './actor-images.service';
import { ActorsService } from './actors.service';

@Global()
@Module({ providers: [ActorsService, ActorImagesService], exports: [ActorsService, ActorImagesService] })
export class ActorsModule {}
