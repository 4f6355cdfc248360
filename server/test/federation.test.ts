import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectProblem, TestServer } from './helpers/test-server';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeActorServer, signPost, verifyReceived, verifyRequest } from './helpers/fake-actor';
import { ldSignAs } from './helpers/ld-sign';
import { legacyUpload, makeClip } from './helpers/videos';

const FED = { federation: { prevent_ssrf: false, delivery: { first_retry_after: '200 ms', max_retry_interval: '1 second' } }, rates_limit: { enabled: false }, transcoding: { enabled: false } };
const AP = { Accept: 'application/activity+json' };

async function until<T>(what: string, fn: () => Promise<T | undefined | null | false>, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const hostOf = (s: TestServer) => new URL(s.url).host;

describe('federation between instances (signatures, inbox, instance follows)', () => {
  let a: TestServer;
  let b: TestServer;
  let c: TestServer; // a third instance whose user subscribes to B's channel (an account's Follow, as Mastodon's)
  let fake: FakeActorServer;
  beforeAll(async () => {
    fake = new FakeActorServer();
    await fake.start();
    [a, b, c] = await Promise.all([TestServer.start(FED), TestServer.start(FED), TestServer.start(FED)]);
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), c?.stop(), fake?.stop()]);
  });

  it('A follows B, B accepts: both sides list the accepted follow', async () => {
    const rootA = await a.login();
    await rootA.request('POST', '/api/v1/server/following', { json: { hosts: [hostOf(b)] } });
    const following = await until('A following B accepted', async () => {
      const list = await rootA.request<{ total: number; data: { state: string; following: { host: string; name: string } }[] }>('GET', '/api/v1/server/following');
      return list.data.find((f) => f.state === 'accepted') ? list : null;
    });
    expect(following.total).toBe(1);
    expect(following.data[0].following).toMatchObject({ host: hostOf(b), name: 'peertube' });
    const followers = await b.api.request<{ total: number; data: { state: string; follower: { host: string; followingCount: number } }[] }>('GET', '/api/v1/server/followers');
    expect(followers.total).toBe(1);
    expect(followers.data[0]).toMatchObject({ state: 'accepted', follower: { host: hostOf(a), followingCount: 1 } });
    // The follow went over the wire as PeerTube mints it.
    const [row] = await b.sql<{ url: string }>('SELECT url FROM actor_follow');
    expect(row.url).toMatch(new RegExp(`^${a.url}/accounts/peertube/follows/\\d+$`));
    // B's instance actor's followers collection lists A's instance actor.
    const collection = await (await fetch(`${b.url}/accounts/peertube/followers?page=1`, { headers: AP })).json();
    expect(collection).toMatchObject({ type: 'OrderedCollectionPage', totalItems: 1, orderedItems: [`${a.url}/accounts/peertube`] });
    const hosts = await rootA.request<{ data: { host: string; delivered: number; unreachable: boolean }[] }>('GET', '/api/v1/server/federation/hosts');
    expect(hosts.data.find((h) => h.host === hostOf(b))).toMatchObject({ unreachable: false });
  });

  describe('inbox refusals (spoof matrix): nothing is stored', () => {
    const follow = (id: string, actor: string) => ({
      '@context': 'https://www.w3.org/ns/activitystreams',
      id,
      type: 'Follow',
      actor,
      object: `${b.url}/accounts/peertube`,
    });
    const post = (path: string, body: string, headers: Record<string, string>) =>
      fetch(b.url + path, { method: 'POST', body, headers: { 'content-type': 'application/activity+json', ...headers } });
    const follows = async () => Number((await b.sql<{ n: string }>('SELECT count(*) AS n FROM actor_follow'))[0].n);
    const problem = async (res: Response, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers.get('content-type')).toContain('application/problem+json');
    };

    it('refuses unsigned, badly signed, foreign, replayed, old, tampered and malformed posts', async () => {
      const before = await follows();
      const body = JSON.stringify(follow(`${fake.actorUrl}#follows/1`, fake.actorUrl));
      const keyId = `${fake.actorUrl}#main-key`;
      const other = new FakeActorServer();

      // unsigned
      await problem(await post('/inbox', body, {}), 403);
      // signed with a key that is not the actor's
      await problem(await post('/inbox', body, signPost(`${b.url}/inbox`, body, keyId, other.keys.privateKey)), 403);
      // the activity's actor is not the signer (wrong owner)
      const foreign = JSON.stringify(follow(`${a.url}/x/follows/1`, `${a.url}/accounts/peertube`));
      await problem(await post('/inbox', foreign, signPost(`${b.url}/inbox`, foreign, keyId, fake.keys.privateKey)), 403);
      // signed for /inbox, replayed to another path
      await problem(await post('/accounts/peertube/inbox', body, signPost(`${b.url}/inbox`, body, keyId, fake.keys.privateKey)), 403);
      // older than the 1800 s window
      const old = new Date(Date.now() - 1801_000);
      await problem(await post('/inbox', body, signPost(`${b.url}/inbox`, body, keyId, fake.keys.privateKey, { date: old })), 403);
      // body changed after signing (Digest no longer matches)
      const tampered = body.replace('follows/1', 'follows/2');
      await problem(await post('/inbox', tampered, signPost(`${b.url}/inbox`, body, keyId, fake.keys.privateKey)), 403);
      // digest not among the signed headers
      await problem(
        await post('/inbox', body, signPost(`${b.url}/inbox`, body, keyId, fake.keys.privateKey, { headers: ['(request-target)', 'host', 'date'] })),
        403,
      );
      // malformed: not an activity, not JSON
      const junk = JSON.stringify({ hello: 'world' });
      await problem(await post('/inbox', junk, signPost(`${b.url}/inbox`, junk, keyId, fake.keys.privateKey)), 400);
      await problem(await post('/inbox', '{not json', signPost(`${b.url}/inbox`, '{not json', keyId, fake.keys.privateKey)), 400);
      // an unknown local actor's inbox
      await problem(await post('/accounts/nobody/inbox', body, signPost(`${b.url}/accounts/nobody/inbox`, body, keyId, fake.keys.privateKey)), 404);

      expect(fake.received).toHaveLength(0);
      expect(await follows()).toBe(before);
    });

    it('accepts a Mastodon-style signed Follow and answers with an Accept keeping its id, signed by the target', async () => {
      const before = await follows();
      const id = `${fake.base}/4e5c7a1f-follow`;
      const body = JSON.stringify(follow(id, fake.actorUrl));
      const res = await post(
        '/accounts/peertube/inbox',
        body,
        signPost(`${b.url}/accounts/peertube/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey, {
          headers: ['(request-target)', 'host', 'date', 'digest', 'content-type'],
        }),
      );
      expect(res.status).toBe(204);
      const accept = await until('the Accept', async () => fake.received.find((r) => JSON.parse(r.body).type === 'Accept'));
      expect(accept.path).toBe('/users/alice/inbox'); // the follower's own inbox (unicast, as PeerTube)
      const activity = JSON.parse(accept.body);
      expect(activity).toMatchObject({ type: 'Accept', actor: `${b.url}/accounts/peertube`, object: { id, type: 'Follow', actor: fake.actorUrl } });
      expect(activity.id).toMatch(new RegExp(`^${b.url}/accepts/follows/\\d+$`));
      const bActor = await (await fetch(`${b.url}/accounts/peertube`, { headers: { Accept: 'application/activity+json' } })).json();
      const check = verifyReceived(accept, bActor.publicKey.publicKeyPem);
      expect(check).toEqual({ keyId: `${b.url}/accounts/peertube#main-key`, headers: ['(request-target)', 'host', 'date', 'digest'], ok: true });
      expect(accept.headers['content-type']).toBe('application/activity+json');
      expect(await follows()).toBe(before + 1);
      // B fetched the unknown follower's actor with a GET signed by its instance actor (federation.sign_federated_fetches).
      expect(fake.actorGets.length).toBeGreaterThan(0);
      const get = verifyRequest('get', '/users/alice', fake.actorGets[0], bActor.publicKey.publicKeyPem);
      expect(get).toEqual({ keyId: `${b.url}/accounts/peertube#main-key`, headers: expect.arrayContaining(['(request-target)', 'host', 'date']), ok: true });

      // Undo removes it.
      const undo = JSON.stringify({ id: `${id}/undo`, type: 'Undo', actor: fake.actorUrl, object: JSON.parse(body) });
      expect((await post('/inbox', undo, signPost(`${b.url}/inbox`, undo, `${fake.actorUrl}#main-key`, fake.keys.privateKey))).status).toBe(204);
      await until('the undo', async () => (await follows()) === before);
    });

    it('an activity signed with a rotated key: the actor is fetched again once, the new key applies', async () => {
      const before = await follows();
      const fetches = fake.actorFetches;
      fake.rotateKey();
      const id = `${fake.base}/after-rotation-follow`;
      const body = JSON.stringify(follow(id, fake.actorUrl));
      expect((await post('/inbox', body, signPost(`${b.url}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey))).status).toBe(204);
      expect(fake.actorFetches).toBe(fetches + 1);
      await until('the follow stored', async () => (await follows()) === before + 1);
      // The next one verifies with the stored new key: no fetch.
      const undo = JSON.stringify({ id: `${id}/undo`, type: 'Undo', actor: fake.actorUrl, object: JSON.parse(body) });
      expect((await post('/inbox', undo, signPost(`${b.url}/inbox`, undo, `${fake.actorUrl}#main-key`, fake.keys.privateKey))).status).toBe(204);
      await until('the undo', async () => (await follows()) === before);
      expect(fake.actorFetches).toBe(fetches + 1);
    });
  });

  it('admin API: rights, bad input and unknown follows', async () => {
    await expectProblem(a.api.request('POST', '/api/v1/server/following', { json: { hosts: [hostOf(b)] } }), 401);
    const rootA = await a.login();
    await expectProblem(rootA.request('POST', '/api/v1/server/following', { json: { hosts: ['not a host!'] } }), 400);
    await expectProblem(rootA.request('POST', '/api/v1/server/following', { json: {} }), 400);
    await expectProblem(rootA.request('DELETE', '/api/v1/server/following/unknown.example'), 404);
    await expectProblem(rootA.request('POST', '/api/v1/server/followers/peertube@unknown.example/accept'), 404);
    await expectProblem(rootA.request('POST', '/api/v1/server/followers/not-a-handle/reject'), 400);
    await expectProblem(a.api.request('GET', '/api/v1/server/federation/hosts'), 401);
  });

  it('a video published on B is listed on A within 2 s; its update and its deletion reach A and C (whose user subscribed to the channel); a Mastodon-style channel follower gets the Announce', async () => {
    const rootB = await b.login();
    const me = await rootB.request<{ videoChannels: { id: number; name: string }[] }>('GET', '/api/v1/users/me');
    const channel = me.videoChannels[0];
    const channelUrl = `${b.url}/video-channels/${channel.name}`;
    // A Mastodon-like account follows the channel (§11).
    const followBody = JSON.stringify({ id: `${fake.base}/follow-channel`, type: 'Follow', actor: fake.actorUrl, object: channelUrl });
    const res = await fetch(`${b.url}/inbox`, { method: 'POST', body: followBody, headers: signPost(`${b.url}/inbox`, followBody, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
    expect(res.status).toBe(204);
    await until('the channel Accept', async () => fake.received.find((r) => JSON.parse(r.body).object?.id === `${fake.base}/follow-channel`));
    // ...and B's account (to receive its Update, which it then forwards to A below).
    const followAccount = JSON.stringify({ id: `${fake.base}/follow-account`, type: 'Follow', actor: fake.actorUrl, object: `${b.url}/accounts/root` });
    const res2 = await fetch(`${b.url}/inbox`, { method: 'POST', body: followAccount, headers: signPost(`${b.url}/inbox`, followAccount, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
    expect(res2.status).toBe(204);
    await until('the account Accept', async () => fake.received.find((r) => JSON.parse(r.body).object?.id === `${fake.base}/follow-account`));

    // A user on C subscribes to the channel: C's account follows it (no instance follow between C and B).
    const rootC = await c.login();
    await rootC.request('POST', '/api/v1/users/me/subscriptions', { json: { uri: `${channel.name}@${hostOf(b)}` } });
    await until('B accepts the follow from C', async () =>
      (await b.sql("SELECT 1 FROM actor_follow f JOIN actor x ON x.id = f.actor_id WHERE x.url LIKE $1 AND f.state = 'accepted'", [`${c.url}/%`])).length === 1);

    const clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-clip-')), 'clip.mp4', { seconds: 2, size: '320x240' });
    const { video } = await legacyUpload(rootB, clip, { name: 'From B', channelId: String(channel.id), privacy: '1', tags: 'federated' });
    const published = Date.now();
    type Listed = { uuid: string; isLocal: boolean; name: string; account: { host: string }; channel: { host: string } };
    const listed = await until('A lists the video', async () => {
      const list = await a.api.request<{ data: Listed[] }>('GET', '/api/v1/videos', { query: { isLocal: 'false' } });
      return list.data.find((v) => v.uuid === video.uuid);
    });
    expect(Date.now() - published).toBeLessThan(2000);
    expect(listed).toMatchObject({ isLocal: false, name: 'From B', channel: { host: hostOf(b) }, account: { host: hostOf(b) } });
    // C got it from the channel's Announce, and lists it in the subscriber's feed.
    await until('C lists the video', async () => (await c.api.request<{ data: Listed[] }>('GET', '/api/v1/videos', { query: { isLocal: 'false' } })).data.some((v) => v.uuid === video.uuid));
    expect((await rootC.request<{ data: Listed[] }>('GET', '/api/v1/users/me/subscriptions/videos')).data.map((v) => v.uuid)).toContain(video.uuid);
    const byHost = async (host: string) => (await a.api.request<{ data: Listed[] }>('GET', '/api/v1/videos', { query: { host } })).data.map((v) => v.uuid);
    expect(await byHost(hostOf(b))).toContain(video.uuid);
    expect(await byHost(hostOf(a))).not.toContain(video.uuid);
    expect((await a.api.request<{ data: Listed[] }>('GET', '/api/v1/videos', { query: { isLocal: 'true' } })).data.map((v) => v.uuid)).not.toContain(video.uuid);
    // The remote channel and account have their pages on A (name@host).
    const remoteChannel = await a.api.request<{ name: string; host: string }>('GET', `/api/v1/video-channels/${channel.name}@${hostOf(b)}`);
    expect(remoteChannel).toMatchObject({ name: channel.name, host: hostOf(b) });
    const channelVideos = await a.api.request<{ data: Listed[] }>('GET', `/api/v1/video-channels/${channel.name}@${hostOf(b)}/videos`);
    expect(channelVideos.data.map((v) => v.uuid)).toContain(video.uuid);
    expect(await a.api.request<{ name: string; host: string }>('GET', `/api/v1/accounts/root@${hostOf(b)}`)).toMatchObject({ name: 'root', host: hostOf(b) });

    // The origin's Video object, in PeerTube's shape.
    const object = await (await fetch(`${b.url}/videos/watch/${video.uuid}`, { headers: AP })).json();
    expect(object).toMatchObject({
      type: 'Video',
      id: `${b.url}/videos/watch/${video.uuid}`,
      uuid: video.uuid,
      name: 'From B',
      duration: 'PT2S',
      state: 1,
      commentsPolicy: 1,
      mediaType: 'text/markdown',
      tag: [{ type: 'Hashtag', name: 'federated' }],
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      attributedTo: [{ type: 'Person', id: `${b.url}/accounts/root` }, { type: 'Group', id: channelUrl }],
      shares: `${b.url}/videos/watch/${video.uuid}/announces`,
    });
    expect(object['@context'][3]).toMatchObject({ pt: 'https://joinpeertube.org/ns#', uuid: { '@id': 'pt:uuid' } });
    const rels = object.url.map((l: { mediaType?: string; name?: string }) => l.mediaType ?? l.name);
    expect(rels).toEqual(expect.arrayContaining(['text/html', 'video/mp4', 'tracker-http', 'tracker-websocket']));
    expect(object.icon.length).toBeGreaterThan(0);
    // A's copy points at B's files and is not served by A (redirect to the origin).
    const details = await a.api.request<{ files: { fileUrl: string; size: number }[] }>('GET', `/api/v1/videos/${video.uuid}`);
    expect(details.files[0].fileUrl.startsWith(b.url + '/')).toBe(true);
    const onA = await fetch(`${a.url}/videos/watch/${video.uuid}`, { headers: AP, redirect: 'manual' });
    expect(onA.status).toBe(302);
    expect(onA.headers.get('location')).toBe(object.id);
    // The channel's follower got the Announce by the channel, signed by the channel.
    const announce = await until('the channel Announce', async () => fake.received.find((r) => JSON.parse(r.body).type === 'Announce'));
    expect(JSON.parse(announce.body)).toMatchObject({ actor: channelUrl, object: object.id, id: expect.stringMatching(new RegExp(`^${object.id}/announces/\\d+$`)) });
    const group = await (await fetch(channelUrl, { headers: AP })).json();
    expect(verifyReceived(announce, group.publicKey.publicKeyPem).ok).toBe(true);

    // A like on A of B's video is counted on B (Like to the origin), and withdrawn (Undo).
    const rootA = await a.login();
    await rootA.request('PUT', `/api/v1/videos/${video.uuid}/rate`, { json: { rating: 'like' } });
    await until('the like counted on B', async () => (await b.api.request<{ likes: number }>('GET', `/api/v1/videos/${video.uuid}`)).likes === 1);
    // B forwards it to the video's audience unchanged (signed by A's account): C counts it too.
    const likesOnC = async () => (await c.api.request<{ likes: number }>('GET', `/api/v1/videos/${video.uuid}`)).likes;
    await until('the like forwarded to C', async () => (await likesOnC()) === 1);
    await rootA.request('PUT', `/api/v1/videos/${video.uuid}/rate`, { json: { rating: 'none' } });
    await until('the like withdrawn on B', async () => (await b.api.request<{ likes: number }>('GET', `/api/v1/videos/${video.uuid}`)).likes === 0);
    await until('the withdrawal forwarded to C', async () => (await likesOnC()) === 0);

    // B serves the video's likes/dislikes/announces collections as PeerTube pages them (§8): a like
    // from A and one from a Mastodon-style account, listed by their activity ids, newest first.
    await rootA.request('PUT', `/api/v1/videos/${video.uuid}/rate`, { json: { rating: 'like' } });
    await until('the like counted on B again', async () => (await b.api.request<{ likes: number }>('GET', `/api/v1/videos/${video.uuid}`)).likes === 1);
    const like = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${fake.base}/likes/1`, type: 'Like', actor: fake.actorUrl, object: object.id });
    expect((await fetch(`${b.url}/inbox`, { method: 'POST', body: like, headers: signPost(`${b.url}/inbox`, like, `${fake.actorUrl}#main-key`, fake.keys.privateKey) })).status).toBe(204);
    await until('the Mastodon-style like counted on B', async () => (await b.api.request<{ likes: number }>('GET', `/api/v1/videos/${video.uuid}`)).likes === 2);
    const apGet = async (path: string) => {
      const r = await fetch(`${object.id}${path}`, { headers: AP });
      return { status: r.status, body: r.status === 200 ? await r.json() : null };
    };
    expect((await apGet('/likes')).body).toMatchObject({ type: 'OrderedCollection', id: `${object.id}/likes`, totalItems: 2, first: `${object.id}/likes?page=1` });
    const likesPage = (await apGet('/likes?page=1')).body;
    expect(likesPage).toMatchObject({ type: 'OrderedCollectionPage', partOf: `${object.id}/likes`, totalItems: 2 });
    expect(likesPage.orderedItems).toHaveLength(2);
    expect(likesPage.orderedItems[0]).toBe(`${fake.base}/likes/1`);
    expect(likesPage.orderedItems[1]).toMatch(new RegExp(`^${a.url}/accounts/root/likes/\\d+$`));
    const dislikes = (await apGet('/dislikes')).body;
    expect(dislikes).toMatchObject({ type: 'OrderedCollection', totalItems: 0 });
    expect(dislikes.first).toBeUndefined();
    const shares = (await apGet('/announces?page=1')).body;
    expect(shares).toMatchObject({ type: 'OrderedCollectionPage', totalItems: 2 });
    const sharers = [];
    for (const url of shares.orderedItems as string[]) {
      const r = await fetch(url, { headers: AP });
      expect(r.status).toBe(200);
      const a1 = await r.json();
      expect(a1).toMatchObject({ id: url, type: 'Announce', object: object.id });
      sharers.push(a1.actor);
    }
    expect(sharers.sort()).toEqual([`${b.url}/accounts/peertube`, channelUrl].sort());
    expect((await apGet('/announces/2147483647')).status).toBe(404);
    expect((await apGet('/announces/abc')).status).toBe(400);
    // Another instance shares the video: its Announce is listed (by its own id) until its Undo. B
    // forwards both, unchanged, to the video's audience (PeerTube's process-announce/process-undo):
    // the channel's follower gets them signed by B's instance actor, and C (subscribed to the
    // channel) records the share and its removal; the sharer gets nothing back.
    const sharer = new FakeActorServer();
    sharer.actorType = 'Application';
    await sharer.start();
    try {
      const shareId = `${sharer.base}/videos/${video.uuid}/announces/1`;
      const announceBody = { '@context': 'https://www.w3.org/ns/activitystreams', id: shareId, type: 'Announce', actor: sharer.actorUrl, object: object.id };
      const postAsSharer = async (activity: object) => {
        const body = JSON.stringify(activity);
        return (await fetch(`${b.url}/inbox`, { method: 'POST', body, headers: signPost(`${b.url}/inbox`, body, `${sharer.actorUrl}#main-key`, sharer.keys.privateKey) })).status;
      };
      const signedAnnounce = await ldSignAs(sharer, announceBody);
      expect(await postAsSharer(signedAnnounce)).toBe(204);
      const shared = await until('the share listed', async () => {
        const page = (await apGet('/announces?page=1')).body;
        return page?.totalItems === 3 ? page : null;
      });
      expect(shared.orderedItems).toContain(shareId);
      const forwardedOf = (type: string) => fake.received.filter((r) => {
        const body = JSON.parse(r.body);
        return body.type === type && (type === 'Announce' ? body.id : body.object?.id) === shareId;
      });
      const forwarded = await until('the share forwarded to the channel follower', async () => forwardedOf('Announce')[0]);
      expect(JSON.parse(forwarded.body)).toEqual(signedAnnounce);
      const instanceB = await (await fetch(`${b.url}/accounts/peertube`, { headers: AP })).json();
      expect(verifyReceived(forwarded, instanceB.publicKey.publicKeyPem)).toMatchObject({ ok: true, keyId: `${b.url}/accounts/peertube#main-key` });
      const sharesOnC = async () => (await c.sql<{ url: string }>('SELECT s.url FROM video_share s JOIN video v ON v.id = s.video_id WHERE v.uuid = $1', [video.uuid])).map((r) => r.url);
      await until('the share recorded on C', async () => (await sharesOnC()).includes(shareId));
      // The same Announce again changes nothing and is not forwarded again.
      expect(await postAsSharer(signedAnnounce)).toBe(204);

      const signedUndo = await ldSignAs(sharer, { '@context': 'https://www.w3.org/ns/activitystreams', id: `${shareId}/undo`, type: 'Undo', actor: sharer.actorUrl, object: announceBody });
      expect(await postAsSharer(signedUndo)).toBe(204);
      await until('the share gone', async () => (await apGet('/announces')).body?.totalItems === 2);
      const undo = await until('the Undo forwarded to the channel follower', async () => forwardedOf('Undo')[0]);
      expect(JSON.parse(undo.body)).toEqual(signedUndo);
      expect(verifyReceived(undo, instanceB.publicKey.publicKeyPem).ok).toBe(true);
      await until('the share removed on C', async () => !(await sharesOnC()).includes(shareId));
      expect(forwardedOf('Announce')).toHaveLength(1);
      expect(sharer.received.filter((r) => ['Announce', 'Undo'].includes(JSON.parse(r.body).type))).toHaveLength(0);
    } finally {
      await sharer.stop();
    }
    expect((await fetch(`${object.id}/likes`)).headers.get('content-type')).not.toContain('activity+json');

    // A view on A of B's video is sent to B and counted there.
    const viewsOnB = async () => (await b.api.request<{ views: number }>('GET', `/api/v1/videos/${video.uuid}`)).views;
    const before = await viewsOnB();
    await a.api.request('POST', `/api/v1/videos/${video.uuid}/views`, { json: {} });
    await until('the view counted on B', async () => (await viewsOnB()) === before + 1);

    await rootB.request('PUT', `/api/v1/videos/${video.uuid}`, { json: { name: 'Renamed on B' } });
    await until('the new name on A', async () => (await a.api.request<{ name: string }>('GET', `/api/v1/videos/${video.uuid}`)).name === 'Renamed on B');
    await until('the new name on C', async () => (await c.api.request<{ name: string }>('GET', `/api/v1/videos/${video.uuid}`)).name === 'Renamed on B');
    // A reads the origin's totals from its likes/dislikes collections with the Update (A's own like alone counted 1).
    await until('the origin\'s like count on A', async () => (await a.api.request<{ likes: number; dislikes: number }>('GET', `/api/v1/videos/${video.uuid}`)).likes === 2);

    // Forwards (§6.4/§7.3): the Update carries B's account's RsaSignature2017; a third party may
    // forward it unchanged, not altered.
    const updateRaw = await until('the Update at the account follower', async () => fake.received.find((r) => JSON.parse(r.body).type === 'Update'));
    const update = JSON.parse(updateRaw.body);
    expect(update.signature).toMatchObject({ type: 'RsaSignature2017', creator: `${b.url}/accounts/root` });
    const forward = async (activity: unknown) => {
      const body = JSON.stringify(activity);
      return fetch(`${a.url}/inbox`, { method: 'POST', body, headers: signPost(`${a.url}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
    };
    const tampered = { ...update, object: { ...update.object, name: 'Tampered' } };
    expect((await forward(tampered)).status).toBe(403);
    expect((await forward(update)).status).toBe(204);
    expect((await a.api.request<{ name: string }>('GET', `/api/v1/videos/${video.uuid}`)).name).toBe('Renamed on B');

    await rootB.request('DELETE', `/api/v1/videos/${video.uuid}`);
    await until('the deletion on A', async () => (await a.sql('SELECT 1 FROM video WHERE uuid = $1', [video.uuid])).length === 0);
    await until('the deletion on C', async () => (await c.sql('SELECT 1 FROM video WHERE uuid = $1', [video.uuid])).length === 0);
  });

  it('public → private on B is a Delete for A; an Update or Delete of the video signed by another actor changes nothing on A', async () => {
    const rootB = await b.login();
    const me = await rootB.request<{ videoChannels: { id: number }[] }>('GET', '/api/v1/users/me');
    const clip = makeClip(mkdtempSync(join(tmpdir(), 'fed-clip-')), 'clip.mp4', { seconds: 2, size: '320x240' });
    const { video } = await legacyUpload(rootB, clip, { name: 'Soon private', channelId: String(me.videoChannels[0].id), privacy: '1' });
    await until('A lists the video', async () => (await a.sql('SELECT 1 FROM video WHERE uuid = $1', [video.uuid])).length === 1);
    const url = `${b.url}/videos/watch/${video.uuid}`;
    const object = await (await fetch(url, { headers: AP })).json();

    // The fake actor (a Person on another host) claims B's video: refused by ownership, nothing changes.
    const postAsFake = async (activity: object) => {
      const body = JSON.stringify(activity);
      return fetch(`${a.url}/inbox`, { method: 'POST', body, headers: signPost(`${a.url}/inbox`, body, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
    };
    const spoofed = { ...object, name: 'Spoofed', updated: new Date(Date.now() + 60_000).toISOString() };
    expect((await postAsFake({ '@context': object['@context'], id: `${fake.base}/update-1`, type: 'Update', actor: fake.actorUrl, object: spoofed })).status).toBeLessThan(500);
    expect((await postAsFake({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${fake.base}/delete-1`, type: 'Delete', actor: fake.actorUrl, object: url })).status).toBeLessThan(500);
    await new Promise((r) => setTimeout(r, 1000));
    const [row] = await a.sql<{ name: string }>('SELECT name FROM video WHERE uuid = $1', [video.uuid]);
    expect(row?.name).toBe('Soon private');

    await rootB.request('PUT', `/api/v1/videos/${video.uuid}`, { json: { privacy: 3 } });
    await until('the video gone from A', async () => (await a.sql('SELECT 1 FROM video WHERE uuid = $1', [video.uuid])).length === 0);
    // B no longer serves it to the network either.
    expect((await fetch(url, { headers: AP })).status).toBe(404);
  });

  // The outage case (B stopped, activities produced, B restarted) is in federation-faults.test.ts.

  it('A unfollows B: the Undo reaches B', async () => {
    const rootA = await a.login();
    await rootA.request('DELETE', `/api/v1/server/following/${hostOf(b)}`);
    expect((await rootA.request<{ total: number }>('GET', '/api/v1/server/following')).total).toBe(0);
    await until('B has no follower from A', async () => {
      const list = await b.api.request<{ data: { follower: { host: string } }[] }>('GET', '/api/v1/server/followers');
      return !list.data.some((f) => f.follower.host === hostOf(a));
    });
  });
});
