import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inboxesFor } from './delivery.service';
import { parseIncomingSignature, SignatureError, signedHeaders, verifyParsedSignature } from './http-signature';
import { signLd, verifyLd } from './ld-signature';
import { parseActorDocument } from './remote-actors.service';
import { parseVideoObject } from './remote-videos.service';
import { buildVideoObject } from './video-object';

const fixture = (name: string) => JSON.parse(readFileSync(join(__dirname, '../../../test/fixtures/ap', name), 'utf8'));
const keys = () => generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });

describe('federation wire formats', () => {
  it('reads the real PeerTube Video object (tilvids): files, HLS playlist, segment hashes, trackers, owners', () => {
    const v = parseVideoObject(fixture('peertube-video-object.json'))!;
    expect(v).not.toBeNull();
    expect(v.row.duration).toBe(1145);
    expect(v.row.privacy).toBe(1);
    expect(v.channelUrl).toMatch(/\/video-channels\//);
    expect(v.accountUrl).toMatch(/\/accounts\//);
    expect(v.playlists).toHaveLength(1);
    expect(v.playlists[0].segmentsSha256Url).toMatch(/segments-sha256\.json$/);
    expect(v.playlists[0].infoHashes.length).toBeGreaterThan(0);
    expect(v.playlists[0].files.length).toBeGreaterThan(0);
    expect(v.playlists[0].files.every((f) => f.size > 0 && f.fileUrl.startsWith('https://'))).toBe(true);
    expect(v.trackerUrls.some((t) => t.startsWith('wss://'))).toBe(true);
    expect(v.thumbnailUrl).toMatch(/^https:\/\//);
  });

  it('refuses Video objects that break PeerTube minimums or same-origin', () => {
    const base = fixture('peertube-video-object.json');
    expect(parseVideoObject({ ...base, icon: [] })).toBeNull();
    expect(parseVideoObject({ ...base, duration: 'PT1M5' })).toBeNull();
    expect(parseVideoObject({ ...base, attributedTo: [] })).toBeNull();
    expect(parseVideoObject({ ...base, attributedTo: [{ type: 'Group', id: 'https://elsewhere.example/video-channels/x' }] })).toBeNull();
    expect(parseVideoObject({ ...base, uuid: 'nope' })).toBeNull();
  });

  it('reads real actors (PeerTube Group and Person, Mastodon Person) and refuses broken ones', () => {
    for (const name of ['peertube-group-channel-actor.json', 'peertube-person-account-actor.json', 'mastodon-person-actor.json']) {
      const doc = fixture(name);
      const a = parseActorDocument(doc);
      expect(a, name).not.toBeNull();
      expect(a!.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    }
    const group = fixture('peertube-group-channel-actor.json');
    expect(parseActorDocument({ ...group, attributedTo: [] })).toBeNull();
    expect(parseActorDocument({ ...group, inbox: 'https://other.example/inbox' })).toBeNull();
    expect(parseActorDocument({ ...group, type: 'Note' })).toBeNull();
  });

  it('builds a Video object a PeerTube receiver accepts (read back by the same checks)', () => {
    const d = {
      url: 'https://a.example/videos/watch/11111111-2222-4333-8444-555555555555',
      uuid: '11111111-2222-4333-8444-555555555555',
      name: 'Hello',
      duration: 12,
      category: { id: 1, label: 'Music' },
      licence: { id: 2, label: 'Attribution - Share Alike' },
      language: { id: 'en', label: 'English' },
      views: 3,
      nsfw: false,
      waitTranscoding: true,
      state: { id: 1, label: 'Published' },
      commentsPolicy: { id: 1, label: 'Enabled' },
      downloadEnabled: true,
      publishedAt: '2026-01-01T00:00:00.000Z',
      createdAt: '2026-01-01T00:00:00.000Z',
      updatedAt: '2026-01-02T00:00:00.000Z',
      originallyPublishedAt: null,
      tags: ['tag1'],
      description: 'desc',
      support: null,
      aspectRatio: 1.7778,
      isLive: false,
      thumbnailPath: '/lazy-static/thumbnails/t.jpg',
      previewPath: '/lazy-static/previews/p.jpg',
      files: [],
      streamingPlaylists: [
        {
          id: 1,
          type: 1,
          playlistUrl: 'https://a.example/static/streaming-playlists/hls/x/master.m3u8',
          segmentsSha256Url: 'https://a.example/static/streaming-playlists/hls/x/segments-sha256.json',
          files: [{ id: 5, resolution: { id: 720, label: '720p' }, size: 1000, fps: 25, width: 1280, height: 720, fileUrl: 'https://a.example/static/streaming-playlists/hls/x/720-fragmented.mp4', hasAudio: true, hasVideo: true, torrentUrl: null, magnetUri: null }],
        },
      ],
      trackerUrls: ['https://a.example/tracker/announce', 'wss://a.example/tracker/socket'],
    };
    const object = buildVideoObject(d as never, { accountUrl: 'https://a.example/accounts/root', channelUrl: 'https://a.example/video-channels/main', followersUrl: 'https://a.example/accounts/root/followers' }, {
      privacy: 1,
      thumbnailUrl: 'https://a.example/lazy-static/thumbnails/t.jpg',
      previewUrl: 'https://a.example/lazy-static/previews/p.jpg',
    });
    const back = parseVideoObject(object)!;
    expect(back).not.toBeNull();
    expect(back.row).toMatchObject({ name: 'Hello', duration: 12, category: 1, licence: 2, language: 'en', tags: ['tag1'], commentsPolicy: 1, privacy: 1 });
    expect(back.playlists[0]).toMatchObject({ segmentsSha256Url: d.streamingPlaylists[0].segmentsSha256Url, files: [{ resolution: 720, size: 1000 }] });
    expect(back.trackerUrls).toEqual(d.trackerUrls);
    // Unlisted: Public only in cc.
    const unlisted = buildVideoObject(d as never, { accountUrl: 'https://a.example/accounts/root', channelUrl: 'https://a.example/video-channels/main', followersUrl: 'f' }, { privacy: 2, thumbnailUrl: null, previewUrl: null });
    expect(unlisted).toMatchObject({ to: [], cc: ['https://www.w3.org/ns/activitystreams#Public'] });
  });

  it('delivers once per host through shared inboxes', () => {
    const inboxes = inboxesFor([
      { inboxUrl: 'https://h1.example/users/a/inbox', sharedInboxUrl: 'https://h1.example/inbox' },
      { inboxUrl: 'https://h1.example/users/b/inbox', sharedInboxUrl: 'https://h1.example/inbox' },
      { inboxUrl: 'https://h2.example/accounts/c/inbox', sharedInboxUrl: null },
      { inboxUrl: 'https://h2.example/accounts/d/inbox', sharedInboxUrl: null },
      { inboxUrl: 'https://me.example/accounts/e/inbox', sharedInboxUrl: 'https://me.example/inbox' },
    ], ['me.example']);
    expect(inboxes.sort()).toEqual(['https://h1.example/inbox', 'https://h2.example/accounts/c/inbox', 'https://h2.example/accounts/d/inbox']);
  });

  it('signs and verifies draft-cavage signatures; refuses missing digest and stale dates', () => {
    const k = keys();
    const body = '{"type":"Follow"}';
    const headers = signedHeaders('POST', 'https://b.example/inbox', { keyId: 'https://a.example/accounts/peertube#main-key', privateKeyPem: k.privateKey }, body);
    expect(headers.signature).toMatch(/^keyId="https:\/\/a\.example\/accounts\/peertube#main-key",algorithm="rsa-sha256",headers="\(request-target\) host date digest",signature="/);
    const parsed = parseIncomingSignature({ headers, method: 'POST', originalUrl: '/inbox' });
    expect(verifyParsedSignature(parsed, k.publicKey)).toBe(true);
    expect(verifyParsedSignature(parseIncomingSignature({ headers, method: 'POST', originalUrl: '/accounts/x/inbox' }), k.publicKey)).toBe(false);
    const old = { ...headers, date: new Date(Date.now() - 1801_000).toUTCString() };
    expect(() => parseIncomingSignature({ headers: old, method: 'POST', originalUrl: '/inbox' })).toThrow(SignatureError);
    const get = signedHeaders('GET', 'https://b.example/accounts/x', { keyId: 'k', privateKeyPem: k.privateKey });
    expect(get.signature).toContain('headers="(request-target) host date"');
    expect(() => parseIncomingSignature({ headers: get, method: 'POST', originalUrl: '/accounts/x' })).toThrow(SignatureError);
  });

  it('RsaSignature2017: a signed activity verifies, a changed one does not, PeerTube\'s bad fixture does not', async () => {
    const k = keys();
    const activity = fixture('mastodon-create-note-reply-to-peertube-video-bad-ld-signature.json');
    delete activity.signature;
    const signed = await signLd(activity, 'http://localhost:3000/users/ronan2', k.privateKey);
    expect(signed.signature).toMatchObject({ type: 'RsaSignature2017', creator: 'http://localhost:3000/users/ronan2' });
    expect(await verifyLd(signed, k.publicKey)).toBe(true);
    expect(await verifyLd({ ...signed, object: { ...signed.object, content: 'changed' } }, k.publicKey)).toBe(false);
    expect(await verifyLd(signed, keys().publicKey)).toBe(false);
    const bad = fixture('mastodon-create-note-reply-to-peertube-video-bad-ld-signature.json');
    expect(await verifyLd(bad, fixture('mastodon-public-key.json').publicKey)).toBe(false);
  });

  it('RsaSignature2017: what is signed is what is sent (a nested `@context: undefined`, dropped by JSON, still verifies on arrival)', async () => {
    const k = keys();
    const like = { id: 'https://a.example/accounts/x/likes/1', type: 'Like', actor: 'https://a.example/accounts/x', object: 'https://b.example/videos/watch/1', to: ['https://b.example/accounts/y'], cc: [] };
    const undo = { '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'], id: `${like.id}/undo`, type: 'Undo', actor: like.actor, object: { ...like, '@context': undefined } };
    const signed = await signLd(undo, like.actor, k.privateKey);
    expect(await verifyLd(JSON.parse(JSON.stringify(signed)), k.publicKey)).toBe(true);
  });
});
