import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomConfig, ResultList, ServerStats, TranscodingAvailability, User, UserRegistration, VideoBlacklistEntry } from '@flotilla/shared';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ApiClient } from '../../client/src/api/http';
import { expectProblem, REPO_ROOT, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';
import { waitFor } from './helpers/runners';
import { body, mailTo, startSmtp } from './helpers/smtp-sink';

describe('administration: users, registrations, hidden videos, custom config, stats', () => {
  let server: TestServer;
  let smtp: Awaited<ReturnType<typeof startSmtp>>;
  let root: ApiClient;
  let dir: string;

  beforeAll(async () => {
    smtp = await startSmtp();
    dir = await mkdtemp(join(tmpdir(), 'flotilla-admin-'));
    server = await TestServer.start({
      signup: { enabled: true, requires_approval: false },
      rates_limit: { signup: { max: 50 }, api: { max: 2000 }, login: { max: 200 } },
      smtp: { hostname: '127.0.0.1', port: smtp.port, tls: false, disable_starttls: true, from_address: 'flotilla@example.org' },
    });
    root = await server.login();
  });
  afterAll(async () => {
    await server?.stop();
    await smtp?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const createUser = async (username: string, role = 2) => {
    const r = await root.request<{ user: { id: number } }>('POST', '/api/v1/users', { json: { username, password: 'password1', email: `${username}@example.org`, role } });
    return r.user.id;
  };

  it('blocking a user kills the tokens already in use; unblocking lets them log in again', async () => {
    const id = await createUser('blockee');
    const blockee = await server.login('blockee', 'password1');
    expect((await blockee.get<User>('/api/v1/users/me')).username).toBe('blockee');
    await root.request('POST', `/api/v1/users/${id}/block`, { json: { reason: 'spamming the instance' } });
    // The very token the user is holding now fails, at once.
    await expectProblem(blockee.get('/api/v1/users/me'), 401);
    await expect(server.login('blockee', 'password1')).rejects.toMatchObject({ status: 400 });
    const listed = await root.get<ResultList<User>>('/api/v1/users', { blocked: true });
    expect(listed.data.map((u) => [u.username, u.blockedReason])).toEqual([['blockee', 'spamming the instance']]);
    await waitFor(async () => mailTo(smtp.mails, 'blockee@example.org').length > 0, 10_000);
    expect(body(mailTo(smtp.mails, 'blockee@example.org')[0])).toContain('spamming the instance');
    await root.request('POST', `/api/v1/users/${id}/unblock`);
    expect((await (await server.login('blockee', 'password1')).get<User>('/api/v1/users/me')).blocked).toBe(false);
  });

  it('block refuses root, bad reasons, unknown users and callers without the right', async () => {
    const rootId = (await root.get<User>('/api/v1/users/me')).id;
    await expectProblem(root.request('POST', `/api/v1/users/${rootId}/block`), 400, 'cannot_block_root');
    await expectProblem(root.request('POST', '/api/v1/users/99999/block'), 404, 'user_not_found');
    await expectProblem(root.request('POST', '/api/v1/users/abc/block'), 400, 'invalid_params');
    const id = await createUser('plain');
    await expectProblem(root.request('POST', `/api/v1/users/${id}/block`, { json: { reason: 'x' } }), 400, 'invalid_params');
    const plain = await server.login('plain', 'password1');
    await expectProblem(plain.request('POST', `/api/v1/users/${rootId}/block`), 403, 'insufficient_role');
    await expectProblem(server.api.request('POST', `/api/v1/users/${id}/block`), 401);
    expect((await root.get<User>(`/api/v1/users/${id}`)).blocked).toBe(false);
  });

  it('a moderator manages users but cannot touch an admin or give a role above their own', async () => {
    await createUser('moddy', 1);
    const adminId = await createUser('otheradmin', 0);
    const userId = await createUser('modtarget');
    const mod = await server.login('moddy', 'password1');
    await expectProblem(mod.request('PUT', `/api/v1/users/${adminId}`, { json: { videoQuota: 5 } }), 403, 'insufficient_role');
    await expectProblem(mod.request('POST', `/api/v1/users/${adminId}/block`), 403, 'insufficient_role');
    await expectProblem(mod.request('PUT', `/api/v1/users/${userId}`, { json: { role: 0 } }), 403, 'insufficient_role');
    await expectProblem(mod.request('PUT', `/api/v1/users/${userId}`, { json: { role: 1 } }), 403, 'insufficient_role');
    await mod.request('PUT', `/api/v1/users/${userId}`, { json: { videoQuota: 1234, videoQuotaDaily: 99 } });
    const after = await root.get<User>(`/api/v1/users/${userId}`);
    expect([after.role.id, after.videoQuota, after.videoQuotaDaily]).toEqual([2, 1234, 99]);
    await mod.request('POST', `/api/v1/users/${userId}/block`, { json: { reason: 'moderator says so' } });
    expect((await root.get<User>(`/api/v1/users/${userId}`)).blocked).toBe(true);
    // Moderators may not edit the instance's settings.
    await expectProblem(mod.get('/api/v1/config/custom'), 403, 'insufficient_role');
  });

  it('registration requests: refused while approval is off, then requested, accepted and rejected with mails', async () => {
    const req = (username: string, extra: Record<string, unknown> = {}) => ({
      username, password: 'password1', email: `${username}@example.org`, registrationReason: 'I make videos about birds', ...extra,
    });
    await expectProblem(server.api.request('POST', '/api/v1/users/registrations/request', { json: req('early') }), 400, 'signup_approval_not_enabled');
    await root.request('PUT', '/api/v1/config/custom', { json: { signup: { enabled: true, requiresApproval: true } } });
    // With approval required, open sign-up is closed (PeerTube answers 403).
    await expectProblem(server.api.request('POST', '/api/v1/users/register', { json: { username: 'direct', password: 'password1', email: 'direct@example.org' } }), 403, 'signup_requires_approval');

    const anon = server.api;
    const a = await anon.request<UserRegistration>('POST', '/api/v1/users/registrations/request', { json: req('wren', { displayName: 'Wren', channel: { name: 'wren_birds', displayName: 'Birds' } }) });
    expect(a).toMatchObject({ state: { id: 1, label: 'Pending' }, username: 'wren', accountDisplayName: 'Wren', channelHandle: 'wren_birds', user: null });
    const b = await anon.request<UserRegistration>('POST', '/api/v1/users/registrations/request', { json: req('spammer') });
    // Bad bodies and clashes.
    await expectProblem(anon.request('POST', '/api/v1/users/registrations/request', { json: req('wren') }), 409, 'username_already_exists');
    await expectProblem(anon.request('POST', '/api/v1/users/registrations/request', { json: req('other', { email: 'wren@example.org' }) }), 409, 'email_already_exists');
    await expectProblem(anon.request('POST', '/api/v1/users/registrations/request', { json: req('root2', { email: 'blockee@example.org' }) }), 409, 'email_already_exists');
    await expectProblem(anon.request('POST', '/api/v1/users/registrations/request', { json: { ...req('noreason'), registrationReason: undefined } }), 400, 'invalid_params');
    await expectProblem(anon.get('/api/v1/users/registrations'), 401);
    await expectProblem((await server.login('plain', 'password1')).get('/api/v1/users/registrations'), 403, 'insufficient_role');

    const mod = await server.login('moddy', 'password1');
    const list = await mod.get<ResultList<UserRegistration>>('/api/v1/users/registrations', { sort: 'createdAt' });
    expect(list.data.map((r) => r.username)).toEqual(['wren', 'spammer']);
    expect((await mod.get<ResultList<UserRegistration>>('/api/v1/users/registrations', { search: 'spam' })).data.map((r) => r.username)).toEqual(['spammer']);

    await expectProblem(mod.request('POST', `/api/v1/users/registrations/${a.id}/accept`, { json: {} }), 400, 'invalid_params');
    await expectProblem(mod.request('POST', '/api/v1/users/registrations/99999/accept', { json: { moderationResponse: 'welcome' } }), 404, 'registration_not_found');
    await mod.request('POST', `/api/v1/users/registrations/${a.id}/accept`, { json: { moderationResponse: 'Welcome, bird lover' } });
    await mod.request('POST', `/api/v1/users/registrations/${b.id}/reject`, { json: { moderationResponse: 'Looks like spam' } });
    await expectProblem(mod.request('POST', `/api/v1/users/registrations/${b.id}/accept`, { json: { moderationResponse: 'oops' } }), 409, 'registration_already_moderated');

    // The accepted user logs in with the password of the request, with its channel.
    const wren = await server.login('wren', 'password1');
    const me = await wren.get<User>('/api/v1/users/me');
    expect([me.account.displayName, me.videoChannels.map((c) => c.name)]).toEqual(['Wren', ['wren_birds']]);
    await expect(server.login('spammer', 'password1')).rejects.toMatchObject({ status: 400 });
    const after = await mod.get<ResultList<UserRegistration>>('/api/v1/users/registrations', { sort: 'createdAt' });
    expect(after.data.map((r) => [r.username, r.state.id, r.moderationResponse, r.user?.id ?? null])).toEqual([
      ['wren', 3, 'Welcome, bird lover', me.id],
      ['spammer', 2, 'Looks like spam', null],
    ]);
    // Each requester was told, by a mail the SMTP server received.
    await waitFor(async () => mailTo(smtp.mails, 'wren@example.org').length > 0 && mailTo(smtp.mails, 'spammer@example.org').length > 0, 10_000);
    expect(body(mailTo(smtp.mails, 'wren@example.org')[0])).toMatch(/Subject: .*accepted[\s\S]*Welcome, bird lover/);
    expect(body(mailTo(smtp.mails, 'spammer@example.org')[0])).toMatch(/Subject: .*rejected[\s\S]*Looks like spam/);

    await mod.request('DELETE', `/api/v1/users/registrations/${b.id}`);
    await expectProblem(mod.request('DELETE', `/api/v1/users/registrations/${b.id}`), 404, 'registration_not_found');
    await root.request('DELETE', '/api/v1/config/custom');
  });

  it('a moderator hides another user\'s video: gone from lists and its page for others, the owner is told', async () => {
    await createUser('filmer');
    const filmer = await server.login('filmer', 'password1');
    const channelId = (await filmer.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const clip = makeClip(dir, 'hide.mp4', { seconds: 2, size: '320x240' });
    const { video } = await legacyUpload(filmer, clip, { name: 'to hide', channelId: String(channelId), waitTranscoding: 'false' });
    const mod = await server.login('moddy', 'password1');
    const other = await server.login('plain', 'password1');
    await other.get(`/api/v1/videos/${video.uuid}`);

    await expectProblem(other.request('POST', `/api/v1/videos/${video.uuid}/blacklist`, { json: {} }), 403, 'insufficient_role');
    await expectProblem(mod.request('POST', '/api/v1/videos/99999/blacklist', { json: {} }), 404, 'video_not_found');
    await expectProblem(mod.request('POST', `/api/v1/videos/${video.uuid}/blacklist`, { json: { reason: 'r'.repeat(301) } }), 400, 'invalid_params');
    await mod.request('POST', `/api/v1/videos/${video.uuid}/blacklist`, { json: { reason: 'copyright claim' } });
    await expectProblem(mod.request('POST', `/api/v1/videos/${video.uuid}/blacklist`, { json: {} }), 409, 'video_already_blacklisted');

    await expectProblem(other.get(`/api/v1/videos/${video.uuid}`), 403, 'video_blacklisted');
    await expectProblem(server.api.get(`/api/v1/videos/${video.uuid}`), 403, 'video_blacklisted');
    // Its owner still sees it, and why it is hidden (PeerTube's blacklisted/blacklistedReason).
    expect(await filmer.get(`/api/v1/videos/${video.uuid}`)).toMatchObject({ name: 'to hide', blacklisted: true, blacklistedReason: 'copyright claim' });
    const publicList = await server.api.get<ResultList<{ uuid: string }>>('/api/v1/videos', { count: 100 });
    expect(publicList.data.map((v) => v.uuid)).not.toContain(video.uuid);
    // Moderators list every local video, hidden ones included, with include=BLACKLISTED|NOT_PUBLISHED.
    const adminList = await mod.get<ResultList<{ uuid: string }>>('/api/v1/videos', { isLocal: true, include: 3, privacyOneOf: [1, 2, 3, 4], count: 100 });
    expect(adminList.data.map((v) => v.uuid)).toContain(video.uuid);
    const hidden = await mod.get<ResultList<VideoBlacklistEntry>>('/api/v1/videos/blacklist');
    expect(hidden.data.map((h) => [h.video.uuid, h.reason, h.type.id])).toEqual([[video.uuid, 'copyright claim', 1]]);
    await mod.request('PUT', `/api/v1/videos/${video.uuid}/blacklist`, { json: { reason: 'copyright claim (label X)' } });
    expect((await mod.get<ResultList<VideoBlacklistEntry>>('/api/v1/videos/blacklist')).data[0].reason).toBe('copyright claim (label X)');
    await waitFor(async () => mailTo(smtp.mails, 'filmer@example.org').length > 0, 10_000);
    expect(body(mailTo(smtp.mails, 'filmer@example.org')[0])).toMatch(/hidden by a moderator[\s\S]*copyright claim/);

    await mod.request('DELETE', `/api/v1/videos/${video.uuid}/blacklist`);
    await expectProblem(mod.request('DELETE', `/api/v1/videos/${video.uuid}/blacklist`), 404, 'video_not_blacklisted');
    await expectProblem(mod.request('PUT', `/api/v1/videos/${video.uuid}/blacklist`, { json: { reason: 'x' } }), 404, 'video_not_blacklisted');
    expect((await other.get<{ name: string }>(`/api/v1/videos/${video.uuid}`)).name).toBe('to hide');
    // Deleting it: the owner is told too.
    await mod.request('DELETE', `/api/v1/videos/${video.uuid}`);
    await waitFor(async () => mailTo(smtp.mails, 'filmer@example.org').some((m) => body(m).includes('deleted your video')), 10_000);
  });

  it('custom config: PeerTube\'s shape, applied at once, a bad value is a 400 naming it and nothing is saved', async () => {
    const before = await root.get<CustomConfig>('/api/v1/config/custom');
    expect(before.instance.name).toBe('Flotilla');
    await expectProblem(root.request('PUT', '/api/v1/config/custom', { json: { instance: { name: 'Half saved?' }, signup: { limit: 'many' } } }), 400, 'invalid_params');
    const refused = await root.request('PUT', '/api/v1/config/custom', { json: { instance: { name: 'Half saved?' }, user: { videoQuota: -5 } } }).then(
      () => null,
      (e: { problem: { 'invalid-params': Record<string, unknown> } }) => e.problem,
    );
    expect(Object.keys(refused?.['invalid-params'] ?? {})).toEqual(['user.videoQuota']);
    await expectProblem(root.request('PUT', '/api/v1/config/custom', { json: { instance: { name: '' } } }), 400, 'invalid_params');
    expect((await root.get<CustomConfig>('/api/v1/config/custom')).instance.name).toBe('Flotilla');
    expect((await server.sql('SELECT 1 FROM custom_config')).length).toBe(0);

    const saved = await root.request<CustomConfig>('PUT', '/api/v1/config/custom', {
      json: { instance: { name: 'Birdwatch', terms: 'Be kind.', codeOfConduct: 'No spam.', languages: ['en', 'fr'] }, transcoding: { enabled: true } },
    });
    expect(saved.instance).toMatchObject({ name: 'Birdwatch', terms: 'Be kind.', codeOfConduct: 'No spam.', languages: ['en', 'fr'] });
    const config = await server.api.get<{ instance: { name: string }; webadmin: { configuration: { edition: { allowed: boolean } } } }>('/api/v1/config');
    expect([config.instance.name, config.webadmin.configuration.edition.allowed]).toEqual(['Birdwatch', true]);
    const about = await server.api.get<{ instance: { name: string; terms: string; codeOfConduct: string } }>('/api/v1/config/about');
    expect(about.instance).toMatchObject({ name: 'Birdwatch', terms: 'Be kind.', codeOfConduct: 'No spam.' });
    // Another server process on the same database follows within seconds, without a restart.
    const other = await TestServer.sibling(server);
    try {
      expect((await other.api.get<{ instance: { name: string } }>('/api/v1/config')).instance.name).toBe('Birdwatch');
      await root.request('PUT', '/api/v1/config/custom', { json: { instance: { terms: 'Be kind, really.' } } });
      await waitFor(async () => (await other.api.get<{ instance: { terms: string } }>('/api/v1/config/about')).instance.terms === 'Be kind, really.', 15_000, 500);
    } finally {
      await other.stop();
    }
    // Kept across a restart.
    await server.restart();
    expect((await server.api.get<{ instance: { name: string } }>('/api/v1/config')).instance.name).toBe('Birdwatch');
    root = await server.login();
    expect((await root.request<CustomConfig>('DELETE', '/api/v1/config/custom')).instance.name).toBe('Flotilla');
    expect((await server.api.get<{ instance: { name: string } }>('/api/v1/config')).instance.name).toBe('Flotilla');
    expect((await server.sql('SELECT 1 FROM custom_config')).length).toBe(0);
    await expectProblem(server.api.get('/api/v1/config/custom'), 401);
  });

  it('server stats in PeerTube\'s shape; runner availability says why jobs wait', async () => {
    const stats = await server.api.get<ServerStats>('/api/v1/server/stats');
    expect(stats.totalUsers).toBe(Number((await server.sql<{ n: string }>('SELECT count(*) AS n FROM "user"'))[0].n));
    expect(stats.totalLocalVideoChannels).toBeGreaterThanOrEqual(stats.totalUsers);
    expect(typeof stats.totalLocalVideoFilesSize).toBe('number');

    // This server has no runner at all (no embedded one in tests): an upload's jobs wait, and the owner sees why.
    const filmer = await server.login('filmer', 'password1');
    const channelId = (await filmer.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video } = await legacyUpload(filmer, makeClip(dir, 'wait.mp4', { seconds: 2, size: '320x240' }), { name: 'waiting', channelId: String(channelId) });
    const a = await waitFor(async () => {
      const r = await filmer.get<TranscodingAvailability>('/api/v1/runners/availability', { videoUUID: video.uuid });
      return r.pendingJobs > 0 ? r : null;
    }, 15_000);
    expect(a.runnersOnline).toBe(0);
    expect(a.embedded.enabled).toBe(false);
    expect(a.reason).toMatch(/no runner is connected[\s\S]*embedded runner is off/);
    await expectProblem(server.api.get('/api/v1/runners/availability'), 401);
    await expectProblem(filmer.get('/api/v1/runners/availability', { videoUUID: 'nope' }), 400, 'invalid_params');
  });

  it('npm run reset-password -- <user>: a new password that logs in, the old sessions logged out', async () => {
    const id = await createUser('forgetful');
    const old = await server.login('forgetful', 'password1');
    const cli = join(REPO_ROOT, 'server/dist/cli/reset-password.js');
    const env = { ...process.env, NODE_ENV: 'test', FLOTILLA_CONFIG: server.configFile };
    const { stdout } = await promisify(execFile)(process.execPath, [cli, 'Forgetful'], { env });
    const password = /new password of forgetful: (\S+)/.exec(stdout)?.[1];
    expect(password).toMatch(/^[0-9a-f]{24}$/);
    await expectProblem(old.get('/api/v1/users/me'), 401);
    expect((await (await server.login('forgetful', password!)).get<User>('/api/v1/users/me')).id).toBe(id);
    await expect(promisify(execFile)(process.execPath, [cli, 'nobody'], { env })).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('no user named nobody') });
    await expect(promisify(execFile)(process.execPath, [cli], { env })).rejects.toMatchObject({ code: 64 });
  });

  it('the remaining refusals: closed sign-up, bad queries, callers without the right, unknown ids', async () => {
    const plain = await server.login('plain', 'password1');
    const req = { username: 'late', password: 'password1', email: 'late@example.org', registrationReason: 'please' };
    await root.request('PUT', '/api/v1/config/custom', { json: { signup: { enabled: false, requiresApproval: true } } });
    await expectProblem(server.api.request('POST', '/api/v1/users/registrations/request', { json: req }), 403, 'signup_disabled');
    await root.request('DELETE', '/api/v1/config/custom');
    await expectProblem(root.get('/api/v1/users/registrations', { count: 1000 }), 400, 'invalid_params');
    await expectProblem(root.request('POST', '/api/v1/users/registrations/abc/reject', { json: { moderationResponse: 'no' } }), 400, 'invalid_params');
    await expectProblem(root.request('POST', '/api/v1/users/registrations/99999/reject', { json: { moderationResponse: 'no' } }), 404, 'registration_not_found');
    await expectProblem(plain.request('DELETE', '/api/v1/users/registrations/1'), 403, 'insufficient_role');
    await expectProblem(server.api.request('DELETE', '/api/v1/users/registrations/1'), 401);
    await expectProblem(root.request('POST', '/api/v1/users/99999/unblock'), 404, 'user_not_found');
    await expectProblem(plain.request('POST', '/api/v1/users/1/unblock'), 403, 'insufficient_role');
    await expectProblem(plain.get('/api/v1/videos/blacklist'), 403, 'insufficient_role');
    await expectProblem(server.api.get('/api/v1/videos/blacklist'), 401);
    await expectProblem(root.get('/api/v1/videos/blacklist', { type: 9 }), 400, 'invalid_params');
    await expectProblem(root.request('DELETE', '/api/v1/videos/99999/blacklist'), 404, 'video_not_found');
    await expectProblem(plain.request('PUT', '/api/v1/config/custom', { json: { instance: { name: 'Mine' } } }), 403, 'insufficient_role');
    await expectProblem(plain.request('DELETE', '/api/v1/config/custom'), 403, 'insufficient_role');
    await expectProblem(root.request('PUT', '/api/v1/config/custom', { json: { instance: { defaultNSFWPolicy: 'sometimes' } } }), 400, 'invalid_params');
    expect((await server.api.get<{ instance: { name: string } }>('/api/v1/config')).instance.name).toBe('Flotilla');
  });
});
