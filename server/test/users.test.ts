import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ResultList, User } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { expectProblem, TestServer } from './helpers/test-server';

describe('users (admin, me, register)', () => {
  let server: TestServer;
  let root: ApiClient;
  beforeAll(async () => {
    server = await TestServer.start({ signup: { enabled: true }, rates_limit: { signup: { max: 50 }, api: { max: 1000 } } });
    root = await server.login();
  });
  afterAll(async () => server?.stop());

  const newUser = (username: string, role = 2) => ({ username, password: 'password1', email: `${username}@example.org`, role });

  it('creates a user with an account and a default channel', async () => {
    const res = await root.request<{ user: { id: number; account: { id: number } } }>('POST', '/api/v1/users', {
      json: { ...newUser('alice'), videoQuota: 1_000_000, videoQuotaDaily: 500_000 },
    });
    expect(res.user.id).toBeGreaterThan(1);
    const alice = await root.get<User>(`/api/v1/users/${res.user.id}`);
    expect(alice.username).toBe('alice');
    expect(alice.account.id).toBe(res.user.account.id);
    expect(alice.videoQuota).toBe(1_000_000);
    expect(alice.videoQuotaDaily).toBe(500_000);
    expect(alice.videoChannels.map((c) => c.name)).toEqual(['alice_channel']);
    // Every account and channel is an actor with its own key pair.
    const rows = await server.sql<{ n: string }>(
      "SELECT count(*) AS n FROM actor WHERE preferred_username IN ('alice', 'alice_channel') AND private_key LIKE '-----BEGIN PRIVATE KEY-----%' AND public_key LIKE '-----BEGIN PUBLIC KEY-----%'",
    );
    expect(rows[0].n).toBe('2');
  });

  it('refuses duplicates, bad bodies and unknown users', async () => {
    await expectProblem(root.request('POST', '/api/v1/users', { json: newUser('alice') }), 409, 'username_already_exists');
    await expectProblem(root.request('POST', '/api/v1/users', { json: { ...newUser('alice2'), email: 'alice@example.org' } }), 409, 'email_already_exists');
    // A user named like an existing channel collides in the shared actor namespace.
    await expectProblem(root.request('POST', '/api/v1/users', { json: newUser('alice_channel') }), 409);
    await expectProblem(root.request('POST', '/api/v1/users', { json: { ...newUser('Bad Name') } }), 400, 'invalid_params');
    await expectProblem(root.request('POST', '/api/v1/users', { json: { ...newUser('x'.repeat(51)) } }), 400, 'invalid_params');
    await expectProblem(root.request('POST', '/api/v1/users', { json: { ...newUser('shortpw'), password: '123' } }), 400, 'invalid_params');
    await expectProblem(root.request('POST', '/api/v1/users', { json: { username: 'norole', password: 'password1', email: 'n@e.org' } }), 400);
    await expectProblem(root.get('/api/v1/users/99999'), 404, 'user_not_found');
    await expectProblem(root.get('/api/v1/users/abc'), 400, 'invalid_params');
    const count = await server.sql<{ n: string }>("SELECT count(*) AS n FROM \"user\" WHERE username IN ('alice2', 'alice_channel', 'shortpw', 'norole')");
    expect(count[0].n).toBe('0');
  });

  it('lists users in the {total, data} envelope with search and sort', async () => {
    const list = await root.get<ResultList<User>>('/api/v1/users', { search: 'ali', sort: '-id', count: 10 });
    expect(list.total).toBe(1);
    expect(list.data[0].username).toBe('alice');
    const all = await root.get<ResultList<User>>('/api/v1/users', { sort: 'username' });
    expect(all.data.map((u) => u.username)).toEqual(['alice', 'root']);
    await expectProblem(root.get('/api/v1/users', { count: 101 }), 400, 'invalid_params');
  });

  it('checks rights: users cannot manage users, moderators only plain users', async () => {
    await root.request('POST', '/api/v1/users', { json: newUser('mod', 1) });
    await root.request('POST', '/api/v1/users', { json: newUser('bob') });
    const bob = await server.login('bob', 'password1');
    await expectProblem(bob.get('/api/v1/users'), 403, 'insufficient_role');
    await expectProblem(bob.request('POST', '/api/v1/users', { json: newUser('eve') }), 403);
    const mod = await server.login('mod', 'password1');
    await expectProblem(mod.request('POST', '/api/v1/users', { json: newUser('mod2', 0) }), 403, 'insufficient_role');
    const created = await mod.request<{ user: { id: number } }>('POST', '/api/v1/users', { json: newUser('carol') });
    expect(created.user.id).toBeGreaterThan(0);
    await expectProblem(server.api.get('/api/v1/users'), 401);
  });

  it('updates and deletes a user (admin), removing its actors', async () => {
    const list = await root.get<ResultList<User>>('/api/v1/users', { search: 'carol' });
    const carol = list.data[0];
    await root.request('PUT', `/api/v1/users/${carol.id}`, { json: { videoQuota: 42, role: 1 } });
    const after = await root.get<User>(`/api/v1/users/${carol.id}`);
    expect(after.videoQuota).toBe(42);
    expect(after.role.id).toBe(1);
    await expectProblem(root.request('PUT', `/api/v1/users/${carol.id}`, { json: { role: 7 } }), 400);
    await expectProblem(root.request('PUT', '/api/v1/users/99999', { json: { videoQuota: 1 } }), 404);
    await root.request('DELETE', `/api/v1/users/${carol.id}`);
    await expectProblem(root.get(`/api/v1/users/${carol.id}`), 404);
    const actors = await server.sql("SELECT 1 FROM actor WHERE preferred_username IN ('carol', 'carol_channel')");
    expect(actors).toHaveLength(0);
    await expectProblem(root.request('DELETE', '/api/v1/users/1'), 400, 'cannot_delete_root_user');
  });

  it('lets a user read and update itself', async () => {
    const bob = await server.login('bob', 'password1');
    await bob.request('PUT', '/api/v1/users/me', { json: { displayName: 'Bob B.', p2pEnabled: false, nsfwPolicy: 'blur' } });
    const me = await bob.get<User>('/api/v1/users/me');
    expect(me.account.displayName).toBe('Bob B.');
    expect(me.p2pEnabled).toBe(false);
    expect(me.nsfwPolicy).toBe('blur');
    await expectProblem(bob.request('PUT', '/api/v1/users/me', { json: { password: 'newpassword' } }), 400, 'invalid_params');
    await expectProblem(
      bob.request('PUT', '/api/v1/users/me', { json: { password: 'newpassword', currentPassword: 'wrong' } }),
      401,
      'wrong_current_password',
    );
    await expectProblem(bob.request('PUT', '/api/v1/users/me', { json: { nsfwPolicy: 'sometimes' } }), 400);
    await expectProblem(bob.request('PUT', '/api/v1/users/me', { json: { displayName: 'x'.repeat(121) } }), 400, 'invalid_params');
    await bob.request('PUT', '/api/v1/users/me', { json: { password: 'newpassword', currentPassword: 'password1' } });
    await server.login('bob', 'newpassword');
  });

  it('registers with signup open, 409 on taken names', async () => {
    await server.api.request('POST', '/api/v1/users/register', {
      json: { username: 'dave', password: 'password1', email: 'dave@example.org', channel: { name: 'daves_videos', displayName: 'Dave videos' } },
    });
    const dave = await server.login('dave', 'password1');
    const me = await dave.get<User>('/api/v1/users/me');
    expect(me.role.id).toBe(2);
    expect(me.videoChannels[0].name).toBe('daves_videos');
    await expectProblem(
      server.api.request('POST', '/api/v1/users/register', { json: { username: 'dave', password: 'password1', email: 'd2@example.org' } }),
      409,
    );
    await expectProblem(
      server.api.request('POST', '/api/v1/users/register', { json: { username: 'erin', password: 'password1', email: 'e@example.org', channel: { name: 'daves_videos', displayName: 'x' } } }),
      409,
    );
    await expectProblem(server.api.request('POST', '/api/v1/users/register', { json: { username: 'frank' } }), 400);
  });
});

describe('registration when signup is closed', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start({ signup: { enabled: false } });
  });
  afterAll(async () => server?.stop());

  it('answers 403', async () => {
    await expectProblem(
      server.api.request('POST', '/api/v1/users/register', { json: { username: 'zed', password: 'password1', email: 'z@example.org' } }),
      403,
      'signup_disabled',
    );
    const cfg = await server.api.get<{ signup: { allowed: boolean } }>('/api/v1/config');
    expect(cfg.signup.allowed).toBe(false);
  });
});
