import { Body, Controller, Get, HttpCode, Post } from '@nestjs/common';
import { tokenRequestSchema, type OAuthClientLocal, type TokenRequest, type TokenResponse } from '@flotilla/shared';
import { zod } from '../../common/zod.pipe';
import { Auth, Authenticated } from './auth.guard';
import { AuthService, type AuthContext } from './auth.service';

@Controller('api/v1')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Get('oauth-clients/local')
  async localClient(): Promise<OAuthClientLocal> {
    const c = await this.auth.ensureLocalClient();
    return { client_id: c.clientId, client_secret: c.clientSecret };
  }

  @Post('users/token')
  @HttpCode(200)
  token(@Body(zod(tokenRequestSchema)) body: TokenRequest): Promise<TokenResponse> {
    return this.auth.grant(body);
  }

  @Post('users/revoke-token')
  @HttpCode(200)
  @Authenticated()
  async revoke(@Auth() auth: AuthContext): Promise<Record<string, never>> {
    await this.auth.revoke(auth);
    return {};
  }
}
