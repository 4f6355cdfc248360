import { existsSync } from 'node:fs';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Account, User, VideoDetails } from '@flotilla/shared';
import type { ApiClient } from '../../client/src/api/http';
import { expectProblem, TestServer } from './helpers/test-server';
import { legacyUpload, makeClip } from './helpers/videos';

/** Every file under the storage root, sorted (what a refused request must leave as it was). */
async function storedFiles(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name)).sort();
}

/** A refused request changes nothing: no half-applied update, no lost image. */
describe('refusals lose nothing', () => {
  let server: TestServer;
  let root: ApiClient;
  let alice: ApiClient;
  let dir: string;
  let png: Buffer;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'flotilla-refusals-'));
    server = await TestServer.start({ rates_limit: { api: { max: 10_000 } }, transcoding: { enabled: false } });
    root = await server.login();
    await root.request('POST', '/api/v1/users', { json: { username: 'alice', password: 'password1', email: 'alice@example.org', role: 2 } });
    alice = await server.login('alice', 'password1');
    png = await sharp({ create: { width: 640, height: 360, channels: 3, background: '#cc6633' } }).png().toBuffer();
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const bytesOf = async (path: string | null) => Buffer.from(await (await fetch(server.url + path)).arrayBuffer());

  it('leaves a video exactly as it was after refused updates (attributes, channel, thumbnail and preview files)', async () => {
    const clip = makeClip(dir, 'clip.mp4', { seconds: 2 });
    const channelId = (await alice.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const rootChannel = (await root.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video } = await legacyUpload(alice, clip, { name: 'Before', channelId: String(channelId), description: 'first words', tags: 'one' });
    const before = await alice.get<VideoDetails>(`/api/v1/videos/${video.uuid}`);
    const thumbBefore = await bytesOf(before.thumbnailPath);
    const previewBefore = await bytesOf(before.previewPath);
    const filesBefore = await storedFiles(server.storage);

    const withImage = (field: string, bytes: Buffer) => {
      const form = new FormData();
      form.append('name', 'After');
      form.append('description', 'changed words');
      form.append(field, new Blob([bytes], { type: 'image/png' }), 'image.png');
      return form;
    };
    await expectProblem(alice.request('PUT', `/api/v1/videos/${video.uuid}`, { body: withImage('thumbnailfile', randomBytes(4096)) }), 400);
    await expectProblem(alice.request('PUT', `/api/v1/videos/${video.uuid}`, { body: withImage('previewfile', randomBytes(4096)) }), 400);
    await expectProblem(alice.request('PUT', `/api/v1/videos/${video.uuid}`, { json: { name: 'After', privacy: 5 } }), 400, 'video_privacy_not_supported');
    await expectProblem(alice.request('PUT', `/api/v1/videos/${video.uuid}`, { json: { name: 'After', channelId: rootChannel } }), 403);
    await expectProblem(alice.request('PUT', `/api/v1/videos/${video.uuid}`, { json: { name: 'After', tags: ['x'.repeat(200)] } }), 400);

    const after = await alice.get<VideoDetails>(`/api/v1/videos/${video.uuid}`);
    const pick = (v: VideoDetails) => ({ name: v.name, description: v.description, tags: v.tags, privacy: v.privacy, channel: v.channel.id, thumbnailPath: v.thumbnailPath, previewPath: v.previewPath, updatedAt: v.updatedAt });
    expect(pick(after)).toEqual(pick(before));
    expect((await bytesOf(after.thumbnailPath)).equals(thumbBefore)).toBe(true);
    expect((await bytesOf(after.previewPath)).equals(previewBefore)).toBe(true);
    // No resized image of a refused update left behind, no upload in tmp.
    expect(await storedFiles(server.storage)).toEqual(filesBefore);
  });

  it('keeps the old avatar when a new one is refused', async () => {
    const good = new FormData();
    good.append('avatarfile', new Blob([png], { type: 'image/png' }), 'avatar.png');
    const { avatars } = await alice.request<{ avatars: Array<{ path: string; width: number }> }>('POST', '/api/v1/users/me/avatar/pick', { body: good });
    const files = avatars.map((a) => join(server.storage, 'avatars', a.path.split('/').pop()!));
    const bytes = await Promise.all(avatars.map((a) => bytesOf(a.path)));

    const bad = new FormData();
    bad.append('avatarfile', new Blob([randomBytes(8192)], { type: 'image/png' }), 'avatar.png');
    await expectProblem(alice.request('POST', '/api/v1/users/me/avatar/pick', { body: bad }), 400);
    const tooBig = new FormData();
    tooBig.append('avatarfile', new Blob([Buffer.alloc(20 * 1024 * 1024, 1)], { type: 'image/png' }), 'huge.png');
    await expectProblem(alice.request('POST', '/api/v1/users/me/avatar/pick', { body: tooBig }), 413);

    const account = await server.api.get<Account>('/api/v1/accounts/alice');
    expect(account.avatars.map((a) => a.path).sort()).toEqual(avatars.map((a) => a.path).sort());
    for (const f of files) expect(existsSync(f)).toBe(true);
    for (const [i, a] of avatars.entries()) expect((await bytesOf(a.path)).equals(bytes[i])).toBe(true);
  });
});
