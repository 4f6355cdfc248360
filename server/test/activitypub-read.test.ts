import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKey, createPrivateKey, createSign, createVerify } from 'node:crypto';
import { expectProblem, TestServer } from './helpers/test-server';

const AP = { Accept: 'application/activity+json' };

describe('actors on the wire (read side)', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await TestServer.start();
    const root = await server.login();
    await root.request('POST', '/api/v1/video-channels', { json: { name: 'cooking', displayName: 'Cooking with root', support: 'Thanks!' } });
  });
  afterAll(async () => server?.stop());

  const getAp = async (path: string, accept = AP.Accept) => {
    const res = await fetch(server.url + path, { headers: { Accept: accept }, redirect: 'manual' });
    return res;
  };

  it('serves a Person with a usable RSA public key', async () => {
    const res = await getAp('/accounts/root');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/activity+json');
    const actor = await res.json();
    expect(actor['@context'][0]).toBe('https://www.w3.org/ns/activitystreams');
    expect(actor).toMatchObject({
      type: 'Person',
      id: `${server.url}/accounts/root`,
      preferredUsername: 'root',
      inbox: `${server.url}/accounts/root/inbox`,
      outbox: `${server.url}/accounts/root/outbox`,
      followers: `${server.url}/accounts/root/followers`,
      following: `${server.url}/accounts/root/following`,
      endpoints: { sharedInbox: `${server.url}/inbox` },
    });
    expect(actor.publicKey.id).toBe(`${actor.id}#main-key`);
    expect(actor.publicKey.owner).toBe(actor.id);
    const key = createPublicKey(actor.publicKey.publicKeyPem);
    expect(key.asymmetricKeyDetails?.modulusLength).toBe(2048);
    // The stored private key matches the published public key.
    const [row] = await server.sql<{ private_key: string }>("SELECT private_key FROM actor WHERE preferred_username = 'root'");
    const sig = createSign('sha256').update('hello').sign(createPrivateKey(row.private_key));
    expect(createVerify('sha256').update('hello').verify(key, sig)).toBe(true);
  });

  it('serves a Group attributed to its account, and the instance Application', async () => {
    const group = await (await getAp('/video-channels/cooking', 'application/ld+json; profile="https://www.w3.org/ns/activitystreams"')).json();
    expect(group.type).toBe('Group');
    expect(group.name).toBe('Cooking with root');
    expect(group.support).toBe('Thanks!');
    expect(group.attributedTo).toEqual([{ type: 'Person', id: `${server.url}/accounts/root` }]);
    const app = await (await getAp('/accounts/peertube')).json();
    expect(app.type).toBe('Application');
    expect(app.preferredUsername).toBe('peertube');
    expect(app.publicKey.publicKeyPem).toContain('BEGIN PUBLIC KEY');
  });

  it('redirects browsers to the web pages and 404s unknown actors', async () => {
    const res = await getAp('/accounts/root', 'text/html');
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toBe('/a/root');
    const json = await getAp('/video-channels/cooking', 'application/json');
    expect(json.status).toBe(302);
    expect(json.headers.get('location')).toBe('/c/cooking');
    expect((await getAp('/accounts/nobody')).status).toBe(404);
    expect((await getAp('/video-channels/nothing')).status).toBe(404);
  });

  it('serves collections in PeerTube paging shape', async () => {
    const col = await (await getAp('/accounts/root/followers')).json();
    expect(col).toMatchObject({ id: `${server.url}/accounts/root/followers`, type: 'OrderedCollection', totalItems: 0 });
    const page = await (await getAp('/accounts/root/outbox?page=1')).json();
    expect(page).toMatchObject({ type: 'OrderedCollectionPage', partOf: `${server.url}/accounts/root/outbox`, orderedItems: [] });
    expect((await getAp('/accounts/root/outbox?page=0')).status).toBe(400);
  });

  it('answers WebFinger for accounts, channels and the instance actor', async () => {
    const host = new URL(server.url).host;
    for (const [name, path] of [['root', '/accounts/root'], ['cooking', '/video-channels/cooking'], ['peertube', '/accounts/peertube']]) {
      const res = await fetch(`${server.url}/.well-known/webfinger?resource=acct:${name}@${host}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe('*');
      const body = await res.json();
      expect(body.subject).toBe(`acct:${name}@${host}`);
      expect(body.links.find((l: { rel: string }) => l.rel === 'self')).toEqual({ rel: 'self', type: 'application/activity+json', href: server.url + path });
    }
    await expectProblem(server.api.get('/.well-known/webfinger', { resource: `acct:ghost@${host}` }), 404);
    await expectProblem(server.api.get('/.well-known/webfinger', { resource: 'acct:root@other.example' }), 404);
    await expectProblem(server.api.get('/.well-known/webfinger', { resource: `${server.url}/accounts/root` }), 400);
    await expectProblem(server.api.get('/.well-known/webfinger'), 400);
  });

  it('serves NodeInfo 2.0 and host-meta', async () => {
    const links = await server.api.get<{ links: Array<{ rel: string; href: string }> }>('/.well-known/nodeinfo');
    expect(links.links.map((l) => l.href)).toEqual([`${server.url}/nodeinfo/2.0.json`, `${server.url}/accounts/peertube`]);
    const res = await fetch(`${server.url}/nodeinfo/2.0.json`);
    expect(res.headers.get('content-type')).toContain('nodeinfo.diaspora.software/ns/schema/2.0');
    const info = await res.json();
    expect(info).toMatchObject({ version: '2.0', protocols: ['activitypub'], openRegistrations: true });
    expect(info.usage.users.total).toBe(1);
    expect((await fetch(`${server.url}/nodeinfo/2.1.json`)).status).toBe(404);
    const meta = await (await fetch(`${server.url}/.well-known/host-meta`)).text();
    expect(meta).toContain('/.well-known/webfinger?resource={uri}');
  });
});
