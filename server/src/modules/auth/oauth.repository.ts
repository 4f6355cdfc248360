import { Injectable } from '@nestjs/common';
import { UserModel } from '../users';
import { OAuthClientModel, OAuthTokenModel } from './oauth.model';

export interface NewOAuthToken {
  accessTokenHash: string;
  accessTokenExpiresAt: Date;
  refreshTokenHash: string;
  refreshTokenExpiresAt: Date;
  oauthClientId: number;
  userId: number;
}

/** Every query on `oauth_client` and `oauth_token` (tokens are stored as SHA-256 hashes). */
@Injectable()
export class OAuthRepository {
  firstClient(): Promise<OAuthClientModel | null> {
    return OAuthClientModel.findOne({ order: [['id', 'ASC']] });
  }

  createClient(clientId: string, clientSecret: string, grants: string[]): Promise<OAuthClientModel> {
    return OAuthClientModel.create({ clientId, clientSecret, grants });
  }

  findClient(clientId: string): Promise<OAuthClientModel | null> {
    return OAuthClientModel.findOne({ where: { clientId } });
  }

  async createToken(row: NewOAuthToken): Promise<void> {
    await OAuthTokenModel.create({ ...row });
  }

  findByRefreshHash(refreshTokenHash: string): Promise<OAuthTokenModel | null> {
    return OAuthTokenModel.findOne({ where: { refreshTokenHash } });
  }

  /** With its user: a request's authentication is one query. */
  findByAccessHashWithUser(accessTokenHash: string): Promise<OAuthTokenModel | null> {
    return OAuthTokenModel.findOne({ where: { accessTokenHash }, include: [{ model: UserModel, required: true }] });
  }

  /** False when it was already gone (used by a concurrent refresh, or revoked). */
  async deleteToken(id: number): Promise<boolean> {
    return (await OAuthTokenModel.destroy({ where: { id } })) > 0;
  }

  async deleteTokensOf(userId: number): Promise<void> {
    await OAuthTokenModel.destroy({ where: { userId } });
  }
}
