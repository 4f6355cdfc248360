import { Global, Module } from '@nestjs/common';
import { AuthController } from './auth.controller';
import { AuthGuard } from './auth.guard';
import { AuthService } from './auth.service';
import { OAuthRepository } from './oauth.repository';

@Global()
@Module({
  controllers: [AuthController],
  providers: [AuthService, AuthGuard, OAuthRepository],
  exports: [AuthService, AuthGuard],
})
export class AuthModule {}
