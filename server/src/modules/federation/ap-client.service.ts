import { Inject, Injectable } from '@nestjs/common';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { OutgoingHttp, type FetchResult } from '../../platform/http/outgoing-http';
import { ActorsService } from '../actors/actors.service';
import { signedHeaders, type SigningKey } from './http-signature';
import { INSTANCE_ACTOR_NAME } from './ap-constants';

export const AP_ACCEPT = 'application/activity+json, application/ld+json';
export const AP_POST_CONTENT_TYPE = 'application/activity+json';
/** Largest remote ActivityPub document accepted. */
export const AP_MAX_BYTES = 1024 * 1024;
export const AP_FETCH_TIMEOUT_MS = 10_000;

export class RemoteFetchError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

/**
 * Signed ActivityPub requests through the platform's outgoing HTTP client (SSRF guard, size, time
 * and redirect limits): POSTs signed by the activity's actor, GETs by the instance actor when
 * `federation.sign_federated_fetches` is on.
 */
@Injectable()
export class ApClientService {
  private instanceKey: SigningKey | null = null;

  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly http: OutgoingHttp,
    private readonly actors: ActorsService,
  ) {}

  instanceActorUrl(): string {
    return `${this.config.webserverUrl}/accounts/${INSTANCE_ACTOR_NAME}`;
  }

  async instanceSigningKey(): Promise<SigningKey> {
    if (this.instanceKey) return this.instanceKey;
    const actor = await this.actors.findLocalByName(INSTANCE_ACTOR_NAME);
    if (!actor?.privateKey) throw new Error('the instance actor has no key');
    this.instanceKey = { keyId: `${actor.url}#main-key`, privateKeyPem: actor.privateKey };
    return this.instanceKey;
  }

  async signingKeyOf(actorId: number): Promise<SigningKey> {
    const actor = await this.actors.findById(actorId);
    if (!actor?.privateKey) throw new Error(`actor ${actorId} has no private key`);
    return { keyId: `${actor.url}#main-key`, privateKeyPem: actor.privateKey };
  }

  /** POSTs an activity, signed; the status is the caller's to judge. */
  async post(url: string, body: string, key: SigningKey): Promise<FetchResult> {
    const headers = signedHeaders('POST', url, key, body);
    return this.http.fetch(url, {
      method: 'POST',
      body,
      headers: { ...headers, 'content-type': AP_POST_CONTENT_TYPE, accept: AP_ACCEPT },
      timeoutMs: AP_FETCH_TIMEOUT_MS,
      maxBytes: 64 * 1024,
      maxRedirects: 0,
    });
  }

  /** GETs an ActivityPub document (signed with the instance actor's key when configured) and parses it. */
  async get(url: string): Promise<{ json: Record<string, unknown>; url: string }> {
    let headers: Record<string, string> = { accept: AP_ACCEPT };
    if (this.config.federation.sign_federated_fetches) {
      headers = { ...headers, ...signedHeaders('GET', url, await this.instanceSigningKey()) };
    }
    const res = await this.http.fetch(url, { headers, timeoutMs: AP_FETCH_TIMEOUT_MS, maxBytes: AP_MAX_BYTES });
    if (res.status < 200 || res.status >= 300) throw new RemoteFetchError(`${url} answered ${res.status}`, res.status);
    let json: unknown;
    try {
      json = JSON.parse(res.body.toString('utf8'));
    } catch {
      throw new RemoteFetchError(`${url} did not answer JSON`);
    }
    if (!json || typeof json !== 'object' || Array.isArray(json)) throw new RemoteFetchError(`${url} did not answer a JSON object`);
    return { json: json as Record<string, unknown>, url: res.url };
  }

  /** WebFinger `acct:name@host` → the actor URL of its `self` link. */
  async webfinger(name: string, host: string): Promise<string> {
    const scheme = this.schemeFor(host);
    const url = `${scheme}://${host}/.well-known/webfinger?resource=${encodeURIComponent(`acct:${name}@${host}`)}`;
    const res = await this.http.fetch(url, { headers: { accept: 'application/jrd+json, application/json' }, timeoutMs: AP_FETCH_TIMEOUT_MS, maxBytes: 64 * 1024 });
    if (res.status !== 200) throw new RemoteFetchError(`WebFinger of ${name}@${host} answered ${res.status}`, res.status);
    let body: { links?: { rel?: string; href?: string }[] };
    try {
      body = JSON.parse(res.body.toString('utf8')) as typeof body;
    } catch {
      throw new RemoteFetchError(`WebFinger of ${name}@${host} is not JSON`);
    }
    const self = (body.links ?? []).find((l) => l.rel === 'self' && typeof l.href === 'string');
    if (!self?.href || !/^https?:\/\//.test(self.href)) throw new RemoteFetchError(`WebFinger of ${name}@${host} has no self link`);
    return self.href;
  }

  /** https in production; http too when this instance itself runs on http (tests, LAN). */
  private schemeFor(_host: string): string {
    return this.config.webserver.https ? 'https' : 'http';
  }
}
