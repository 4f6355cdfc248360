import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { TestServer } from './helpers/test-server';
import { FakeActorServer, signPost, verifyReceived } from './helpers/fake-actor';

// Update{Person|Group}: profile changes of local accounts and channels go to their followers, and
// remote ones are applied only when the actor itself sends them.
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

/** POSTs an activity to a server's shared inbox, signed with `key` as the fake actor's main key. */
function postAs(remote: FakeActorServer, to: TestServer, activity: object, key: string) {
  const body = JSON.stringify(activity);
  return fetch(`${to.url}/inbox`, { method: 'POST', body, headers: signPost(`${to.url}/inbox`, body, `${remote.actorUrl}#main-key`, key) });
}
/** An activity of the fake actor that every handler ignores (an Update of a Note attributed to no one). */
const hello = (remote: FakeActorServer, n: number) => ({ id: `${remote.base}/hello-${n}`, type: 'Update', actor: remote.actorUrl, object: { id: `${remote.base}/notes/${n}`, type: 'Note', content: 'hello' } });
/** The fake actor's own Update{Person}, its document naming a new public key. */
function newKeyUpdate(remote: FakeActorServer, n: number, publicKeyPem: string) {
  const doc = remote.actorDocument();
  return { id: `${remote.base}/update-${n}`, type: 'Update', actor: remote.actorUrl, object: { ...doc, '@context': undefined, publicKey: { ...doc.publicKey, publicKeyPem } } };
}
const storedKey = async (s: TestServer, actorUrl: string) => (await s.sql<{ public_key: string }>('SELECT public_key FROM actor WHERE url = $1', [actorUrl]))[0]?.public_key;
type Img = { fileUrl?: string };
type C = { displayName: string; description: string | null; support: string | null; avatars: Img[]; banners: Img[] };

async function image(field: string, width: number, height: number, color: string): Promise<FormData> {
  const png = await sharp({ create: { width, height, channels: 3, background: color } }).png().toBuffer();
  const form = new FormData();
  form.append(field, new Blob([png], { type: 'image/png' }), 'image.png');
  return form;
}

describe('actor updates (Update{Person|Group}) between instances', () => {
  let a: TestServer;
  let b: TestServer;
  let fake: FakeActorServer;
  let channelName: string;
  beforeAll(async () => {
    fake = new FakeActorServer();
    await fake.start();
    [a, b] = await Promise.all([TestServer.start(FED), TestServer.start(FED)]);
    const rootB = await b.login();
    channelName = (await rootB.request<{ videoChannels: { name: string }[] }>('GET', '/api/v1/users/me')).videoChannels[0].name;
  }, 120_000);
  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop(), fake?.stop()]);
  });

  it("a channel's new name, description, avatar and banner reach the instance of its subscribers", async () => {
    const rootA = await a.login();
    const rootB = await b.login();
    const handle = `${channelName}@${hostOf(b)}`;
    await rootA.request('POST', '/api/v1/users/me/subscriptions', { json: { uri: handle } });
    await until('the subscription accepted', async () => (await a.sql("SELECT 1 FROM actor_follow WHERE state = 'accepted'")).length === 1);
    const onA = () => a.api.request<C>('GET', `/api/v1/video-channels/${handle}`);
    expect((await onA()).avatars).toEqual([]);

    await rootB.request('PUT', `/api/v1/video-channels/${channelName}`, { json: { displayName: 'Renamed on B', description: 'New about text', support: 'Tip jar' } });
    await until('the new profile on A', async () => {
      const c = await onA();
      return c.displayName === 'Renamed on B' && c.description === 'New about text' && c.support === 'Tip jar';
    });

    await rootB.request('POST', `/api/v1/video-channels/${channelName}/avatar/pick`, { body: await image('avatarfile', 200, 200, '#cc3333') });
    await rootB.request('POST', `/api/v1/video-channels/${channelName}/banner/pick`, { body: await image('bannerfile', 1920, 317, '#33cc33') });
    const onB = await b.api.request<C>('GET', `/api/v1/video-channels/${channelName}`);
    const urls = (imgs: Img[]) => imgs.map((i) => i.fileUrl).sort();
    const got = await until('the avatar and banner on A', async () => {
      const c = await onA();
      return c.avatars.length > 0 && c.banners.length > 0 ? c : null;
    });
    // A shows B's files (the origin's URLs), the same set B shows.
    expect(urls(got.avatars)).toEqual(urls(onB.avatars));
    expect(urls(got.banners)).toEqual(urls(onB.banners));
    expect(got.avatars.every((i) => i.fileUrl?.startsWith(`${b.url}/lazy-static/avatars/`))).toBe(true);
  });

  it("an account's new display name goes to its followers (a Mastodon-style follower), signed by the account", async () => {
    const rootB = await b.login();
    const accountUrl = `${b.url}/accounts/root`;
    const follow = JSON.stringify({ id: `${fake.base}/follow-root`, type: 'Follow', actor: fake.actorUrl, object: accountUrl });
    const res = await fetch(`${b.url}/inbox`, { method: 'POST', body: follow, headers: signPost(`${b.url}/inbox`, follow, `${fake.actorUrl}#main-key`, fake.keys.privateKey) });
    expect(res.status).toBe(204);
    await until('the Accept', async () => fake.received.find((r) => JSON.parse(r.body).object?.id === `${fake.base}/follow-root`));

    await rootB.request('PUT', '/api/v1/users/me', { json: { displayName: 'Root of B', description: 'I run B' } });
    const raw = await until('the Update{Person}', async () => fake.received.find((r) => JSON.parse(r.body).type === 'Update'));
    const update = JSON.parse(raw.body);
    expect(update).toMatchObject({
      type: 'Update',
      actor: accountUrl,
      object: { type: 'Person', id: accountUrl, name: 'Root of B', summary: 'I run B', preferredUsername: 'root', updated: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) },
      to: ['https://www.w3.org/ns/activitystreams#Public'],
      cc: [`${accountUrl}/followers`],
    });
    const person = await (await fetch(accountUrl, { headers: AP })).json();
    expect(verifyReceived(raw, person.publicKey.publicKeyPem).ok).toBe(true);
  });

  it('applies an Update only from the actor itself, including a new public key', async () => {
    const bRootUrl = `${b.url}/accounts/root`;
    const rootOnA = () => a.api.request<{ displayName: string }>('GET', `/api/v1/accounts/root@${hostOf(b)}`);
    const before = (await rootOnA()).displayName;
    const post = (activity: object, key: string) => postAs(fake, a, activity, key);

    // The fake actor sends an Update of B's account (someone else's profile): stored nowhere.
    const bPerson = await (await fetch(bRootUrl, { headers: AP })).json();
    const spoof = { id: `${fake.base}/spoof-1`, type: 'Update', actor: fake.actorUrl, object: { ...bPerson, '@context': undefined, name: 'Hacked' } };
    expect((await post(spoof, fake.keys.privateKey)).status).toBe(204);

    // The fake actor's own Update with a new key: the key is replaced.
    const next = FakeActorServer.newKeys();
    const own = newKeyUpdate(fake, 1, next.publicKey);
    expect((await post(own, fake.keys.privateKey)).status).toBe(204);
    await until('the new key stored', async () => (await storedKey(a, fake.actorUrl)) === next.publicKey);
    // A POST signed with the new key is accepted (the fake actor's document still serves the old
    // one: a refetch could not have validated it).
    const third = { id: `${fake.base}/update-2`, type: 'Update', actor: fake.actorUrl, object: { ...own.object, name: 'Alice again' } };
    expect((await post(third, next.privateKey)).status).toBe(204);

    // The spoof was processed before the fake's own Update (one inbox queue, in order): B's account kept its profile.
    expect((await rootOnA()).displayName).toBe(before);
    expect(before).not.toBe('Hacked');
  });

  it('a signed Update{Person} older than the stored profile changes nothing; a newer one applies', async () => {
    const bRootUrl = `${b.url}/accounts/root`;
    const channelUrl = `${b.url}/video-channels/${channelName}`;
    const rootOnA = async () => (await a.api.request<{ displayName: string }>('GET', `/api/v1/accounts/root@${hostOf(b)}`)).displayName;
    const channelOnA = async () => (await a.api.request<C>('GET', `/api/v1/video-channels/${channelName}@${hostOf(b)}`)).displayName;
    const keyOf = async (url: string) => (await b.sql<{ private_key: string }>('SELECT private_key FROM actor WHERE url = $1', [url]))[0].private_key;
    const [rootKey, channelKey] = await Promise.all([keyOf(bRootUrl), keyOf(channelUrl)]);
    const person = { ...(await (await fetch(bRootUrl, { headers: AP })).json()), '@context': undefined };
    const group = { ...(await (await fetch(channelUrl, { headers: AP })).json()), '@context': undefined };
    // Each Update signed by the actor itself, as B would send it.
    const send = (actorUrl: string, key: string, object: object, n: number) => {
      const body = JSON.stringify({ '@context': 'https://www.w3.org/ns/activitystreams', id: `${actorUrl}/updates/test-${n}`, type: 'Update', actor: actorUrl, object, to: ['https://www.w3.org/ns/activitystreams#Public'] });
      return fetch(`${a.url}/inbox`, { method: 'POST', body, headers: signPost(`${a.url}/inbox`, body, `${actorUrl}#main-key`, key) });
    };
    const t = Date.now();
    const at = (s: number) => new Date(t + s * 1000).toISOString();

    expect((await send(bRootUrl, rootKey, { ...person, name: 'Newer name', updated: at(0) }, 1)).status).toBe(204);
    await until('the newer profile on A', async () => (await rootOnA()) === 'Newer name');
    // Delivered late, older than what A stored: nothing changes. The channel's Update queued behind
    // it (one inbox queue, in order) shows when it has been handled.
    expect((await send(bRootUrl, rootKey, { ...person, name: 'Older name', updated: at(-60) }, 2)).status).toBe(204);
    expect((await send(channelUrl, channelKey, { ...group, name: 'Marker' }, 3)).status).toBe(204);
    await until('the marker on A', async () => (await channelOnA()) === 'Marker');
    expect(await rootOnA()).toBe('Newer name');
    // A newer one applies.
    expect((await send(bRootUrl, rootKey, { ...person, name: 'Newest name', updated: at(60) }, 4)).status).toBe(204);
    await until('the newest profile on A', async () => (await rootOnA()) === 'Newest name');
  });

  it('a key stored by the actor\'s Update is the one every process checks, before its cached copy expires', async () => {
    // A second process on A's database and queues (two processes behind one proxy): each keeps the
    // signers it looked up for a minute, and only the one that processes the Update caches its key.
    const other = await TestServer.sibling(a);
    const remote = new FakeActorServer();
    await remote.start();
    try {
      // A's first process fetches the actor, the second reads it from the database: both cache the key.
      expect((await postAs(remote, a, hello(remote, 1), remote.keys.privateKey)).status).toBe(204);
      expect((await postAs(remote, other, hello(remote, 2), remote.keys.privateKey)).status).toBe(204);
      const next = FakeActorServer.newKeys();
      expect((await postAs(remote, a, newKeyUpdate(remote, 3, next.publicKey), remote.keys.privateKey)).status).toBe(204);
      await until('the new key stored', async () => (await storedKey(a, remote.actorUrl)) === next.publicKey);
      // Whichever process did not process the Update still has the old key cached. The actor's
      // document still names the old key too: only the database knows the new one.
      expect((await postAs(remote, a, hello(remote, 4), next.privateKey)).status).toBe(204);
      expect((await postAs(remote, other, hello(remote, 5), next.privateKey)).status).toBe(204);
      expect(await storedKey(a, remote.actorUrl)).toBe(next.publicKey);
      // Found in the database: the origin was not asked again.
      expect(remote.actorFetches).toBe(1);
    } finally {
      await other.stop();
      await remote.stop();
    }
  });

  it("an actor fetch that began before the actor's own Update does not bring its old key back", async () => {
    const remote = new FakeActorServer();
    await remote.start();
    try {
      expect((await postAs(remote, a, hello(remote, 1), remote.keys.privateKey)).status).toBe(204);
      // A POST signed with a key A does not know makes it fetch the actor again; the origin is slow
      // to answer, and answers with the key it had.
      remote.actorDelayMs = 4000;
      let answered = false;
      const stranger = postAs(remote, a, hello(remote, 2), FakeActorServer.newKeys().privateKey).then((r) => {
        answered = true;
        return r.status;
      });
      await until('the actor fetched again', async () => remote.actorFetches === 2);
      // Meanwhile the actor's own Update with a new key is stored.
      const next = FakeActorServer.newKeys();
      expect((await postAs(remote, a, newKeyUpdate(remote, 3, next.publicKey), remote.keys.privateKey)).status).toBe(204);
      await until('the new key stored', async () => (await storedKey(a, remote.actorUrl)) === next.publicKey);
      // The interleaving this test is about: the fetch was still waiting for its answer.
      expect(answered).toBe(false);
      expect(await stranger).toBe(403);
      expect(await storedKey(a, remote.actorUrl)).toBe(next.publicKey);
      remote.actorDelayMs = 0;
      expect((await postAs(remote, a, hello(remote, 4), next.privateKey)).status).toBe(204);
    } finally {
      await remote.stop();
    }
  });
});
