import { Inject, Injectable } from '@nestjs/common';
import bcrypt from 'bcrypt';
import { ErrorCode, type TokenRequest, type TokenResponse } from '@flotilla/shared';
import { AppError, unauthorized } from '../../common/app-error';
import { randomToken, sha256Hex } from '../../common/crypto';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { toAuthUser } from '../users';
import { UserCredentials } from '../users/user-credentials.service';
import type { AuthUser } from '../users/users.types';
import type { OAuthClientModel, OAuthTokenModel } from './oauth.model';
import { OAuthRepository } from './oauth.repository';

const BCRYPT_ROUNDS = 10;

export interface AuthContext {
  user: AuthUser;
  token: OAuthTokenModel;
}

export function hashPassword(password: string): Promise<string> {
  return bcrypt.hash(password, BCRYPT_ROUNDS);
}

export function checkPassword(password: string, hash: string): Promise<boolean> {
  return bcrypt.compare(password, hash);
}

const invalidGrant = (msg: string) => new AppError(400, ErrorCode.INVALID_GRANT, msg);
const accessDenied = (msg: string) => new AppError(400, ErrorCode.ACCESS_DENIED, msg);

@Injectable()
export class AuthService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly repo: OAuthRepository,
    private readonly credentials: UserCredentials,
  ) {}

  /** The instance's own client (what the web client and PeerTube's CLI log in with); made on first boot. */
  async ensureLocalClient(): Promise<OAuthClientModel> {
    const existing = await this.repo.firstClient();
    if (existing) return existing;
    return this.repo.createClient(randomToken(16), randomToken(16), ['password', 'refresh_token']);
  }

  async grant(body: TokenRequest): Promise<TokenResponse> {
    const client = await this.repo.findClient(body.client_id);
    if (!client || client.clientSecret !== body.client_secret) {
      throw new AppError(400, ErrorCode.INVALID_CLIENT, 'Invalid client: client is invalid');
    }
    if (body.grant_type === 'password') {
      if (!body.username || !body.password) throw invalidGrant('Invalid grant: username and password are required');
      const found = await this.credentials.findForLogin(body.username);
      // Compare even when the user is unknown so that timing does not reveal which usernames exist.
      const ok = await checkPassword(body.password, found?.passwordHash ?? '$2b$10$invalidinvalidinvalidinvalidinvalidinvalidinvalidinva');
      if (!found || !ok) throw invalidGrant('Invalid grant: user credentials are invalid');
      const { user } = found;
      // PeerTube's oauth model refuses these with oauth2-server's AccessDeniedError (400 access_denied);
      // its client finds "blocked" in the message. The reason is the user's own, so it is told.
      if (user.blocked) throw accessDenied(`User is blocked.${found.blockedReason ? ` Reason: ${found.blockedReason}` : ''}`);
      if (this.config.signup.requires_email_verification && !found.emailVerified) throw accessDenied('User email is not verified.');
      await this.credentials.recordLogin(user.id);
      return this.issue(client, user.id);
    }
    if (!body.refresh_token) throw invalidGrant('Invalid grant: refresh_token is required');
    const old = await this.repo.findByRefreshHash(sha256Hex(body.refresh_token));
    if (!old || old.oauthClientId !== client.id || old.refreshTokenExpiresAt.getTime() < Date.now()) {
      throw invalidGrant('Invalid grant: refresh token is invalid');
    }
    // A refresh token is used once: the old pair dies with it.
    await this.repo.deleteToken(old.id);
    return this.issue(client, old.userId);
  }

  private async issue(client: OAuthClientModel, userId: number): Promise<TokenResponse> {
    const access = randomToken(20);
    const refresh = randomToken(20);
    const { access_token: accessMs, refresh_token: refreshMs } = this.config.oauth2.token_lifetime;
    const now = Date.now();
    await this.repo.createToken({
      accessTokenHash: sha256Hex(access),
      accessTokenExpiresAt: new Date(now + accessMs),
      refreshTokenHash: sha256Hex(refresh),
      refreshTokenExpiresAt: new Date(now + refreshMs),
      oauthClientId: client.id,
      userId,
    });
    return {
      token_type: 'Bearer',
      access_token: access,
      refresh_token: refresh,
      expires_in: Math.floor(accessMs / 1000),
      refresh_token_expires_in: Math.floor(refreshMs / 1000),
    };
  }

  /** Resolves a bearer token to its user; unknown or expired tokens are a 401 invalid_token. */
  async authenticate(accessToken: string): Promise<AuthContext> {
    const token = await this.repo.findByAccessHashWithUser(sha256Hex(accessToken));
    if (!token || token.accessTokenExpiresAt.getTime() < Date.now()) {
      throw unauthorized('Invalid token: access token is invalid or expired');
    }
    const u = token.User!;
    if (u.blocked) throw unauthorized('Invalid token: user is blocked');
    return { user: toAuthUser(u), token };
  }

  async revoke(auth: AuthContext): Promise<void> {
    await this.repo.deleteToken(auth.token.id);
  }

  async revokeAllFor(userId: number): Promise<void> {
    await this.repo.deleteTokensOf(userId);
  }
}
