import http, { type IncomingHttpHeaders, type IncomingMessage } from 'node:http';
import https from 'node:https';
import { RequestFilteringHttpAgent, RequestFilteringHttpsAgent } from 'request-filtering-agent';

export interface OutgoingHttpOptions {
  /** Refuse loopback, private, link-local, unique-local, multicast and unspecified targets (config `federation.prevent_ssrf`). */
  preventSsrf: boolean;
  userAgent: string;
  /** Addresses allowed even with the guard on (tests stand a local "public" server on 127.0.0.2). */
  allowAddresses?: string[];
}

export interface FetchOptions {
  method?: 'GET' | 'HEAD' | 'POST';
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** For the whole exchange, redirects included. */
  timeoutMs?: number;
  /** Largest response body accepted, in bytes. */
  maxBytes?: number;
  maxRedirects?: number;
}

export interface FetchResult {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
  /** The URL that answered (after redirects). */
  url: string;
}

export type OutgoingFailure = 'blocked' | 'timeout' | 'too_large' | 'too_many_redirects' | 'bad_url' | 'network';

/** A remote fetch that did not give a response: callers branch on `reason`. */
export class OutgoingRequestError extends Error {
  constructor(
    readonly reason: OutgoingFailure,
    message: string,
    readonly url: string,
  ) {
    super(message);
  }
}

export const FETCH_DEFAULTS = { timeoutMs: 10_000, maxBytes: 5 * 1024 * 1024, maxRedirects: 5 } as const;
const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * The outgoing HTTP client every feature uses for remote fetches (ActivityPub objects, actors,
 * remote files). A remote server names the URLs we fetch, so each connection — every redirect hop
 * included — is checked after DNS resolution by request-filtering-agent: a name that resolves to a
 * loopback or private address cannot make the server reach inside its own network.
 */
export class OutgoingHttp {
  private readonly agents: { http: http.Agent; https: https.Agent };

  constructor(private readonly options: OutgoingHttpOptions) {
    const agentOptions = { keepAlive: true, maxSockets: 50 };
    if (options.preventSsrf) {
      const filter = { allowPrivateIPAddress: false, allowMetaIPAddress: false, allowIPAddressList: options.allowAddresses ?? [] };
      this.agents = { http: new RequestFilteringHttpAgent({ ...agentOptions, ...filter }), https: new RequestFilteringHttpsAgent({ ...agentOptions, ...filter }) };
    } else {
      this.agents = { http: new http.Agent(agentOptions), https: new https.Agent(agentOptions) };
    }
  }

  async fetch(url: string, opts: FetchOptions = {}): Promise<FetchResult> {
    const timeoutMs = opts.timeoutMs ?? FETCH_DEFAULTS.timeoutMs;
    const maxRedirects = opts.maxRedirects ?? FETCH_DEFAULTS.maxRedirects;
    const deadline = Date.now() + timeoutMs;
    let current = url;
    let method = opts.method ?? 'GET';
    let body = opts.body;
    for (let hop = 0; ; hop++) {
      const res = await this.once(current, { ...opts, method, body }, deadline);
      const location = res.headers.location;
      if (!REDIRECTS.has(res.status) || !location) return res;
      if (hop >= maxRedirects) throw new OutgoingRequestError('too_many_redirects', `more than ${maxRedirects} redirects`, url);
      current = new URL(location, current).toString();
      // 303, and 301/302 after a POST, continue as a GET without the body (as browsers do).
      if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === 'POST')) {
        method = 'GET';
        body = undefined;
      }
    }
  }

  /** GET and parse JSON (ActivityPub's `application/activity+json` included). */
  async fetchJson<T = unknown>(url: string, opts: FetchOptions = {}): Promise<{ status: number; json: T; url: string }> {
    const res = await this.fetch(url, { ...opts, headers: { accept: 'application/activity+json, application/json', ...opts.headers } });
    return { status: res.status, json: JSON.parse(res.body.toString('utf8')) as T, url: res.url };
  }

  private once(url: string, opts: FetchOptions, deadline: number): Promise<FetchResult> {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      return Promise.reject(new OutgoingRequestError('bad_url', `not a URL: ${url}`, url));
    }
    if (target.protocol !== 'http:' && target.protocol !== 'https:') {
      return Promise.reject(new OutgoingRequestError('bad_url', `only http and https URLs are fetched: ${url}`, url));
    }
    const maxBytes = opts.maxBytes ?? FETCH_DEFAULTS.maxBytes;
    const client = target.protocol === 'https:' ? https : http;
    const agent = target.protocol === 'https:' ? this.agents.https : this.agents.http;
    return new Promise<FetchResult>((resolve, reject) => {
      let failure: OutgoingRequestError | null = null;
      // Settles at once; destroying without an error keeps the socket's own errors out of sight.
      const fail = (err: OutgoingRequestError) => {
        if (failure) return;
        failure = err;
        clearTimeout(timer);
        reject(err);
        req.destroy();
      };
      const req = client.request(target, {
        method: opts.method ?? 'GET',
        agent,
        headers: { 'user-agent': this.options.userAgent, ...opts.headers },
      });
      const remaining = deadline - Date.now();
      const timer = setTimeout(() => fail(new OutgoingRequestError('timeout', `no complete answer within the time limit`, url)), Math.max(remaining, 0));
      req.on('error', (err) => {
        clearTimeout(timer);
        reject(failure ?? this.networkError(err, url));
      });
      req.once('response', (res: IncomingMessage) => {
        const declared = Number(res.headers['content-length'] ?? NaN);
        if (declared > maxBytes) return fail(new OutgoingRequestError('too_large', `response of ${declared} bytes exceeds ${maxBytes}`, url));
        const chunks: Buffer[] = [];
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
          if (failure) return;
          if (size > maxBytes) return fail(new OutgoingRequestError('too_large', `response exceeds ${maxBytes} bytes`, url));
          chunks.push(chunk);
        });
        res.on('error', (err) => {
          clearTimeout(timer);
          reject(failure ?? this.networkError(err, url));
        });
        // A body cut short by `fail` may end with 'close' alone.
        res.once('close', () => {
          clearTimeout(timer);
          if (failure) reject(failure);
        });
        res.once('end', () => {
          clearTimeout(timer);
          if (failure) return reject(failure);
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url });
        });
      });
      req.end(opts.body);
    });
  }

  /** request-filtering-agent refuses with an Error naming the address; anything else is a network failure. */
  private networkError(err: Error, url: string): OutgoingRequestError {
    if (/is not allowed/.test(err.message)) return new OutgoingRequestError('blocked', `refused target: ${err.message}`, url);
    return new OutgoingRequestError('network', err.message, url);
  }

  close(): void {
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** Nest calls it at shutdown: kept-alive sockets to remote servers are closed. */
  onApplicationShutdown(): void {
    this.close();
  }
}
