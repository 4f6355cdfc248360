import { createHash, createSign, generateKeyPairSync, createVerify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/**
 * A minimal remote ActivityPub server on loopback (a Mastodon-like Person with its own key), for
 * the tests that need a remote actor the test controls: it serves its actor document and records
 * what is POSTed to its inbox. Signing is written here with node:crypto on purpose, independent of
 * the server's library, so each side checks the other.
 */
export class FakeActorServer {
  readonly received: Received[] = [];
  keys = FakeActorServer.newKeys();
  static newKeys() {
    return generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  }
  /** A new key pair, served from now on in the actor document (a remote key rotation). */
  rotateKey(): void {
    this.keys = FakeActorServer.newKeys();
  }
  private server!: Server;
  port = 0;
  /** Delay before the actor document is served (widens the window of concurrent first fetches). */
  actorDelayMs = 0;
  /** Times the actor document was served, and the headers of each of those GETs. */
  actorFetches = 0;
  readonly actorGets: IncomingMessage['headers'][] = [];
  /** The actor's type: a Mastodon-like Person, or an instance's Application. */
  actorType: 'Person' | 'Application' | 'Group' = 'Person';
  /** POSTs are recorded and never answered (a host that hangs); `stop()` drops them. */
  hangPosts = false;
  /** Unanswered POSTs open now, and the most open at once (with `hangPosts`). */
  openPosts = 0;
  maxOpenPosts = 0;
  /** Statuses answered to the next POSTs, in order (then 202). */
  readonly postStatuses: number[] = [];
  /** Extra GET routes (path → handler): documents too large, too slow, redirecting… */
  readonly routes = new Map<string, (req: IncomingMessage, res: ServerResponse) => void>();

  get base(): string {
    return `http://127.0.0.1:${this.port}`;
  }
  get actorUrl(): string {
    return `${this.base}/users/alice`;
  }

  actorDocument() {
    return {
      '@context': ['https://www.w3.org/ns/activitystreams', 'https://w3id.org/security/v1'],
      id: this.actorUrl,
      type: this.actorType,
      preferredUsername: 'alice',
      name: 'Alice',
      inbox: `${this.actorUrl}/inbox`,
      outbox: `${this.actorUrl}/outbox`,
      followers: `${this.actorUrl}/followers`,
      following: `${this.actorUrl}/following`,
      endpoints: { sharedInbox: `${this.base}/inbox` },
      publicKey: { id: `${this.actorUrl}#main-key`, owner: this.actorUrl, publicKeyPem: this.keys.publicKey },
    };
  }

  /** Listens on a free port, or on `port` (a restart on the same address). */
  async start(port = 0): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (req.method === 'POST') {
          this.received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
          if (this.hangPosts) {
            this.maxOpenPosts = Math.max(this.maxOpenPosts, ++this.openPosts);
            req.socket.once('close', () => this.openPosts--);
            return;
          }
          res.statusCode = this.postStatuses.shift() ?? 202;
          return res.end();
        }
        const route = this.routes.get(req.url ?? '');
        if (route) return route(req, res);
        if (req.url === '/users/alice') {
          this.actorFetches++;
          this.actorGets.push(req.headers);
          res.setHeader('content-type', 'application/activity+json');
          const send = () => res.end(JSON.stringify(this.actorDocument()));
          return this.actorDelayMs ? void setTimeout(send, this.actorDelayMs) : send();
        }
        res.statusCode = 404;
        res.end();
      });
    });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', () => r()));
    this.port = (this.server.address() as { port: number }).port;
  }

  async stop(): Promise<void> {
    const closed = new Promise<void>((r) => this.server.close(() => r()));
    this.server.closeAllConnections();
    await closed;
  }
}

export const digestOf = (body: string) => `SHA-256=${createHash('sha256').update(body).digest('base64')}`;

/** Draft-cavage headers for a POST of `body` to `url` (path = what is signed as the request target). */
export function signPost(
  url: string,
  body: string,
  keyId: string,
  privateKeyPem: string,
  opts: { date?: Date; signedPath?: string; headers?: string[] } = {},
): Record<string, string> {
  const u = new URL(url);
  const date = (opts.date ?? new Date()).toUTCString();
  const digest = digestOf(body);
  const names = opts.headers ?? ['(request-target)', 'host', 'date', 'digest'];
  const values: Record<string, string> = {
    '(request-target)': `post ${opts.signedPath ?? u.pathname}`,
    host: u.host,
    date,
    digest,
    'content-type': 'application/activity+json',
  };
  const signingString = names.map((n) => `${n}: ${values[n]}`).join('\n');
  const signature = createSign('sha256').update(signingString).sign(privateKeyPem, 'base64');
  return {
    date,
    digest,
    'content-type': 'application/activity+json',
    signature: `keyId="${keyId}",algorithm="rsa-sha256",headers="${names.join(' ')}",signature="${signature}"`,
  };
}

/** Checks a request's draft-cavage signature (path, headers) against the signer's public key (the server's outgoing side). */
export function verifyRequest(method: 'get' | 'post', path: string, headers: IncomingMessage['headers'], publicKeyPem: string): { keyId: string; headers: string[]; ok: boolean } {
  const sig = String(headers.signature);
  const params = Object.fromEntries([...sig.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
  const names = params.headers.split(' ');
  const signingString = names.map((h: string) => (h === '(request-target)' ? `(request-target): ${method} ${path}` : `${h}: ${headers[h]}`)).join('\n');
  const ok = createVerify('sha256').update(signingString).verify(publicKeyPem, params.signature, 'base64');
  return { keyId: params.keyId, headers: names, ok };
}

/** The same for a received POST, its Digest included. */
export function verifyReceived(r: Received, publicKeyPem: string): { keyId: string; headers: string[]; ok: boolean } {
  const v = verifyRequest('post', r.path, r.headers, publicKeyPem);
  return { ...v, ok: v.ok && r.headers.digest === digestOf(r.body) };
}
