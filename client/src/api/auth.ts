import type { OAuthClientLocal, TokenResponse } from '@flotilla/shared';
import type { ApiClient } from './http';

export function getLocalOAuthClient(api: ApiClient): Promise<OAuthClientLocal> {
  return api.get<OAuthClientLocal>('/api/v1/oauth-clients/local');
}

export function requestToken(api: ApiClient, form: Record<string, string>): Promise<TokenResponse> {
  return api.request<TokenResponse>('POST', '/api/v1/users/token', { form, headers: { Authorization: '' } });
}

/** Password grant with the instance's local OAuth client; stores the access token on the client. */
export async function login(api: ApiClient, username: string, password: string): Promise<TokenResponse> {
  const client = await getLocalOAuthClient(api);
  const token = await requestToken(api, {
    client_id: client.client_id,
    client_secret: client.client_secret,
    grant_type: 'password',
    response_type: 'code',
    scope: 'upload',
    username,
    password,
  });
  api.accessToken = token.access_token;
  return token;
}

export async function refresh(api: ApiClient, refreshToken: string): Promise<TokenResponse> {
  const client = await getLocalOAuthClient(api);
  const token = await requestToken(api, {
    client_id: client.client_id,
    client_secret: client.client_secret,
    grant_type: 'refresh_token',
    refresh_token: refreshToken,
  });
  api.accessToken = token.access_token;
  return token;
}

export async function revokeToken(api: ApiClient): Promise<void> {
  await api.request('POST', '/api/v1/users/revoke-token');
  api.accessToken = null;
}
