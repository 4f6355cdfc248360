import { Injectable } from '@nestjs/common';
import { logger } from '../../common/logger';
import { ActorsService, type RemoteActorData } from '../actors/actors.service';
import { ApClientService, RemoteFetchError } from './ap-client.service';
import { REMOTE_REFRESH_MS } from './ap-constants';
import { isUrl } from './ap-values';

export const ACTOR_TYPES = new Set(['Person', 'Application', 'Group', 'Service', 'Organization']);
const USERNAME = /^[A-Za-z0-9\-_.:]{1,255}$/;


export const hostOf = (url: string) => new URL(url).host.toLowerCase();

type ActorRow = Awaited<ReturnType<ActorsService['upsertRemote']>>;

/** Checks a remote actor document as PeerTube does (§1) and maps it to stored fields; null when invalid. */
export function parseActorDocument(doc: Record<string, unknown>): RemoteActorData | null {
  const key = doc.publicKey as { id?: unknown; owner?: unknown; publicKeyPem?: unknown } | undefined;
  const endpoints = doc.endpoints as { sharedInbox?: unknown } | undefined;
  if (typeof doc.type !== 'string' || !ACTOR_TYPES.has(doc.type)) return null;
  if (!isUrl(doc.id) || !isUrl(doc.inbox)) return null;
  if (!key || !isUrl(key.id) || !isUrl(key.owner) || typeof key.publicKeyPem !== 'string') return null;
  if (!key.publicKeyPem.includes('BEGIN PUBLIC KEY') || !key.publicKeyPem.includes('END PUBLIC KEY')) return null;
  if (typeof doc.preferredUsername !== 'string' || !USERNAME.test(doc.preferredUsername)) return null;
  for (const f of [doc.outbox, doc.followers, doc.following, endpoints?.sharedInbox]) if (f !== undefined && f !== null && !isUrl(f)) return null;
  if (doc.type === 'Group') {
    const by = doc.attributedTo;
    if (!Array.isArray(by) || by.length === 0) return null;
  }
  // The actor, its inbox and its key live on one host.
  const host = hostOf(doc.id);
  if (hostOf(doc.inbox) !== host || hostOf(key.owner) !== host) return null;
  const published = typeof doc.published === 'string' ? new Date(doc.published) : null;
  const updated = typeof doc.updated === 'string' ? new Date(doc.updated) : null;
  return {
    type: doc.type as RemoteActorData['type'],
    preferredUsername: doc.preferredUsername,
    url: doc.id,
    host,
    publicKeyPem: key.publicKeyPem,
    inboxUrl: doc.inbox,
    sharedInboxUrl: isUrl(endpoints?.sharedInbox) ? endpoints.sharedInbox : null,
    outboxUrl: isUrl(doc.outbox) ? doc.outbox : null,
    followersUrl: isUrl(doc.followers) ? doc.followers : null,
    followingUrl: isUrl(doc.following) ? doc.following : null,
    published: published && !Number.isNaN(published.getTime()) ? published : null,
    updated: updated && !Number.isNaN(updated.getTime()) ? updated : null,
  };
}

/** Remote actors: loaded from the database, fetched when unknown, refreshed when stale. */
@Injectable()
export class RemoteActorsService {
  /** Documents fetched in the last minute (a video's channel and account are read right after their actors). */
  private readonly recent = new Map<string, { doc: Record<string, unknown>; at: number }>();
  /** Actor rows read in the last minute (every inbox POST looks its signer up). */
  private readonly rows = new Map<string, { actor: ActorRow; at: number }>();
  /** Blocked-host answers of the last 30 s. */
  private readonly blocked = new Map<string, { blocked: boolean; at: number }>();
  /** Called with every actor stored from its document (profiles: names, avatars, banners). */
  private readonly storedHooks: ((actor: ActorRow, doc: Record<string, unknown>) => Promise<void>)[] = [];
  /**
   * Fetches in progress, by URL: several activities of one unknown actor arrive together (a host
   * back from an outage sends its whole backlog at once), and each inbox POST and each job would
   * otherwise fetch and insert the same actor at the same time.
   */
  private readonly inflight = new Map<string, Promise<ActorRow>>();
  /**
   * Stores made by this process (a counter), the count at each actor's last one, and each actor's
   * store in progress: one actor's stores run one after the other, so that a fetch started before
   * the actor's own Update was stored can tell, and not overwrite it.
   */
  private stores = 0;
  private readonly lastStore = new Map<string, number>();
  private readonly writing = new Map<string, Promise<unknown>>();

  constructor(
    private readonly actors: ActorsService,
    private readonly client: ApClientService,
  ) {}

  onStored(hook: (actor: ActorRow, doc: Record<string, unknown>) => Promise<void>): void {
    this.storedHooks.push(hook);
  }

  /** Stores a validated actor document (fetched, or embedded in the actor's own Update) and runs the hooks. */
  store(data: RemoteActorData, doc: Record<string, unknown>): Promise<ActorRow> {
    return this.oneAtATime(data.url, () => this.write(data, doc));
  }

  private async write(data: RemoteActorData, doc: Record<string, unknown>): Promise<ActorRow> {
    if (this.lastStore.size > 5000) this.lastStore.clear();
    this.lastStore.set(data.url, ++this.stores);
    const stored = await this.actors.upsertRemote(data);
    this.remember(stored.url, stored);
    for (const hook of this.storedHooks) await hook(stored, doc);
    return stored;
  }

  /** Runs `fn` after the actor's store in progress, if any. */
  private oneAtATime<T>(url: string, fn: () => Promise<T>): Promise<T> {
    const run = (this.writing.get(url) ?? Promise.resolve()).then(fn);
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    this.writing.set(url, settled);
    void settled.then(() => {
      if (this.writing.get(url) === settled) this.writing.delete(url);
    });
    return run;
  }

  /** The actor document at `url`, from the last minute's fetches or fetched now. */
  async document(url: string): Promise<Record<string, unknown>> {
    const hit = this.recent.get(url);
    if (hit && Date.now() - hit.at < 60_000) return hit.doc;
    return (await this.client.get(url)).json;
  }

  /** Fetches the actor at `url` and stores it; one fetch per URL at a time (callers share it). */
  fetchAndStore(url: string): Promise<ActorRow> {
    const running = this.inflight.get(url);
    if (running) return running;
    const p = this.fetchAndStoreOnce(url).finally(() => this.inflight.delete(url));
    this.inflight.set(url, p);
    return p;
  }

  /** Same-origin check: the document's id is on the URL's host. */
  private async fetchAndStoreOnce(url: string): Promise<ActorRow> {
    const began = this.stores;
    const { json } = await this.client.get(url);
    if (this.recent.size > 500) this.recent.clear();
    this.recent.set(url, { doc: json, at: Date.now() });
    let data = parseActorDocument(json);
    let doc = json;
    // A key document (not an actor) names its owner: fetched once more.
    if (!data) {
      const owner = (json.publicKey as { owner?: unknown } | undefined)?.owner ?? json.owner;
      if (typeof owner === 'string' && owner !== url && hostOf(owner) === hostOf(url)) {
        const second = await this.client.get(owner);
        data = parseActorDocument(second.json);
        doc = second.json;
        if (data && hostOf(data.url) !== hostOf(owner)) data = null;
      }
    }
    if (!data) throw new RemoteFetchError(`${url} is not a valid actor`);
    if (hostOf(data.url) !== hostOf(url)) throw new RemoteFetchError(`${url} answered an actor of another host`);
    const local = await this.actors.findByUrl(data.url);
    if (local && local.serverId === null) throw new RemoteFetchError(`${url} names a local actor`);
    const actor = data;
    return this.oneAtATime(actor.url, async () => {
      // Stored since this fetch began: by the actor's own Update (fetches of one URL are shared).
      // This document may predate that Update and name the key it replaced: the stored copy stays
      // (a signature its key does not verify makes the inbox fetch again).
      const current = (this.lastStore.get(actor.url) ?? 0) > began ? await this.actors.findByUrl(actor.url) : null;
      if (!current) return this.write(actor, doc);
      this.remember(current.url, current);
      return current;
    });
  }

  /**
   * The actor's row read again from the database, when its key is no longer the one in `seen` (a
   * cached row whose key failed a signature check); null when the key is the same. The cache lags
   * behind the database: another process may have stored the actor's Update with a new key, or this
   * one between writing it and caching it. Asking the origin instead could bring back the key the
   * Update replaced, from a document it has not updated yet (or cached).
   */
  async reloadKey(seen: ActorRow): Promise<ActorRow | null> {
    const row = await this.actors.findByUrl(seen.url);
    if (!row || row.publicKey === seen.publicKey) return null;
    this.remember(row.url, row);
    return row;
  }

  private remember(url: string, actor: ActorRow): void {
    if (this.rows.size > 5000) this.rows.clear();
    this.rows.set(url, { actor, at: Date.now() });
  }

  /** Whether a host is on the server block list (answers cached 30 s). */
  async isBlocked(host: string): Promise<boolean> {
    const hit = this.blocked.get(host);
    if (hit && Date.now() - hit.at < 30_000) return hit.blocked;
    const blocked = await this.actors.isServerBlocked(host);
    if (this.blocked.size > 5000) this.blocked.clear();
    this.blocked.set(host, { blocked, at: Date.now() });
    return blocked;
  }

  /** A host's block changed: its next answer is read from the database. */
  forgetBlocked(host: string): void {
    this.blocked.delete(host.toLowerCase());
  }

  /** The actor with this id: local, cached remote (refreshed in the background when stale), or fetched. */
  async getOrFetch(url: string): Promise<ActorRow> {
    const cached = this.rows.get(url);
    if (cached && Date.now() - cached.at < 60_000) return cached.actor;
    const known = await this.actors.findByUrl(url);
    if (known) {
      this.remember(url, known);
      if (known.serverId !== null && Date.now() - known.updatedAt.getTime() > REMOTE_REFRESH_MS) {
        void this.fetchAndStore(url).catch((err: Error) => logger.warn({ err: err.message, url }, 'remote actor refresh failed'));
      }
      return known;
    }
    return this.fetchAndStore(url);
  }
}
