import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OAuthClientLocal, TokenResponse, User } from '@flotilla/shared';
import { ApiClient } from '../../client/src/api/http';
import { login, refresh, revokeToken } from '../../client/src/api/auth';
import { assertProblemShape, expectProblem, ROOT_PASSWORD, TestServer } from './helpers/test-server';

describe('OAuth login (PeerTube flow)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start({ rates_limit: { login: { max: 16 } } });
  });
  afterAll(async () => server?.stop());

  it('gives the local client and logs root in with the password grant', async () => {
    const client = await server.api.get<OAuthClientLocal>('/api/v1/oauth-clients/local');
    expect(client.client_id).toMatch(/^[0-9a-f]{32}$/);
    expect(client.client_secret).toMatch(/^[0-9a-f]{32}$/);

    const api = new ApiClient(server.url);
    const token = await login(api, 'root', ROOT_PASSWORD);
    expect(token.token_type).toBe('Bearer');
    expect(token.expires_in).toBe(86400);
    expect(token.refresh_token_expires_in).toBe(14 * 86400);

    const me = await api.get<User>('/api/v1/users/me');
    expect(me.username).toBe('root');
    expect(me.role).toEqual({ id: 0, label: 'Administrator' });
    expect(me.account.name).toBe('root');
    expect(me.videoChannels).toHaveLength(1);
    expect(me.videoChannels[0].name).toBe('root_channel');
  });

  it('logs in with the e-mail address instead of the username (the form says "Username or email")', async () => {
    const me = await (await server.login()).get<User>('/api/v1/users/me');
    expect(me.email).toContain('@');
    const api = new ApiClient(server.url);
    const token = await login(api, me.email.toUpperCase(), ROOT_PASSWORD);
    expect(token.access_token).toBeTruthy();
    expect((await api.get<User>('/api/v1/users/me')).username).toBe('root');
    await expectProblem(login(new ApiClient(server.url), me.email, 'wrong-password'), 400, 'invalid_grant');
  });

  it('accepts JSON bodies too and ignores unknown fields', async () => {
    const c = await server.api.get<OAuthClientLocal>('/api/v1/oauth-clients/local');
    const t = await server.api.request<TokenResponse>('POST', '/api/v1/users/token', {
      json: { ...c, grant_type: 'password', username: 'ROOT', password: ROOT_PASSWORD, scope: 'upload', extra: 1 },
    });
    expect(t.access_token).toBeTruthy();
  });

  it('refreshes once, revokes, and rejects bad tokens with invalid_token', async () => {
    const api = new ApiClient(server.url);
    const first = await login(api, 'root', ROOT_PASSWORD);
    const second = await refresh(api, first.refresh_token);
    expect(second.access_token).not.toBe(first.access_token);
    // The old pair died with the refresh.
    await expectProblem(refresh(new ApiClient(server.url), first.refresh_token), 400, 'invalid_grant');
    const stale = new ApiClient(server.url);
    stale.accessToken = first.access_token;
    await expectProblem(stale.get('/api/v1/users/me'), 401, 'invalid_token');

    await revokeToken(api);
    api.accessToken = second.access_token;
    await expectProblem(api.get('/api/v1/users/me'), 401, 'invalid_token');
  });

  it('answers bad credentials and bad clients with PeerTube codes', async () => {
    const c = await server.api.get<OAuthClientLocal>('/api/v1/oauth-clients/local');
    const form = { client_id: c.client_id, client_secret: c.client_secret, grant_type: 'password', username: 'root', password: 'nope' };
    await expectProblem(server.api.request('POST', '/api/v1/users/token', { form }), 400, 'invalid_grant');
    await expectProblem(
      server.api.request('POST', '/api/v1/users/token', { form: { ...form, client_secret: 'x'.repeat(32) } }),
      400,
      'invalid_client',
    );
    await expectProblem(
      server.api.request('POST', '/api/v1/users/token', { form: { ...form, grant_type: 'implicit' } }),
      400,
      'invalid_params',
    );
    await expectProblem(server.api.request('POST', '/api/v1/users/token', { form: { ...form, username: 'ghost' } }), 400, 'invalid_grant');
  });

  it('sends problem+json with the legacy error field', async () => {
    const res = await fetch(`${server.url}/api/v1/users/me`);
    expect(res.status).toBe(401);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    const body = await res.json();
    expect(body).toMatchObject({ status: 401, title: 'Unauthorized', type: 'about:blank' });
    expect(body.error).toBe(body.detail);
    expect(body.code).toBeTruthy();
  });

  it('rate-limits logins per IP with 429 and X-RateLimit headers', async () => {
    const c = await server.api.get<OAuthClientLocal>('/api/v1/oauth-clients/local');
    const form = new URLSearchParams({ client_id: c.client_id, client_secret: c.client_secret, grant_type: 'password', username: 'root', password: 'wrong' });
    const post = () => fetch(`${server.url}/api/v1/users/token`, { method: 'POST', body: form });
    const first = await post();
    expect(first.status).toBe(400);
    expect(first.headers.get('x-ratelimit-limit')).toBe('16');
    // Earlier tests of this file logged in too: every attempt counts, whatever its outcome.
    let remaining = Number(first.headers.get('x-ratelimit-remaining'));
    expect(remaining).toBeGreaterThanOrEqual(0);
    expect(remaining).toBeLessThan(15);
    while (remaining > 0) {
      const res = await post();
      expect(res.status).toBe(400);
      expect(Number(res.headers.get('x-ratelimit-remaining'))).toBe(remaining - 1);
      remaining -= 1;
    }
    const last = await post();
    expect(last.status).toBe(429);
    expect(last.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(last.headers.get('retry-after'))).toBe(300);
    const body = (await last.json()) as Record<string, unknown>;
    assertProblemShape(last.headers.get('content-type'), body, 429);
    expect(body.code).toBe('too_many_requests');
    // Even the right password waits for the window now.
    await expectProblem(login(new ApiClient(server.url), 'root', ROOT_PASSWORD), 429, 'too_many_requests');
  });
});
