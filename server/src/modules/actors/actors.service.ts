import { Inject, Injectable } from '@nestjs/common';
import { QueryTypes, UniqueConstraintError, type Transaction } from 'sequelize';
import type { ActorImage, NotificationActorInfo } from '@flotilla/shared';
import { ErrorCode } from '@flotilla/shared';
import { conflict } from '../../common/app-error';
import { generateRsaKeyPair } from '../../common/crypto';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ActorImageModel, ActorImageType, ActorModel, ServerModel, type ActorType } from './actor.model';
import { actorUrls, type LocalActorKind } from './actor-urls';

@Injectable()
export class ActorsService {
  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  /** Accounts and channels share one namespace of local names (case-insensitive). */
  isLocalNameTaken(name: string, t?: Transaction): Promise<boolean> {
    return ActorModel.isLocalNameTaken(name, t);
  }

  /**
   * PeerTube's ActorInfo of an actor (notifications): the account's or channel's id, name, display
   * name and host, and which of account / channel / instance it is.
   */
  async describe(actorId: number, localHost: string): Promise<(NotificationActorInfo & { kind: 'account' | 'channel' | 'instance' }) | null> {
    const [r] = await ActorModel.sequelize!.query<{ id: number; name: string; displayName: string; host: string; kind: 'account' | 'channel' | 'instance' }>(
      `SELECT COALESCE(c.id, a.id, ac.id) AS id, ac.preferred_username AS name, COALESCE(c.name, a.name, ac.preferred_username) AS "displayName",
              COALESCE(s.host, $2) AS host, CASE WHEN c.id IS NOT NULL THEN 'channel' WHEN ac.type = 'Application' THEN 'instance' ELSE 'account' END AS kind
       FROM actor ac LEFT JOIN server s ON s.id = ac.server_id LEFT JOIN account a ON a.actor_id = ac.id LEFT JOIN video_channel c ON c.actor_id = ac.id
       WHERE ac.id = $1`,
      { bind: [actorId, localHost], type: QueryTypes.SELECT },
    );
    if (!r) return null;
    // PeerTube's notification actors carry their avatars as { path, width }, every size.
    const images = await ActorImageModel.findAll({ where: { actorId, type: ActorImageType.AVATAR }, order: [['width', 'ASC']], raw: true });
    return { ...r, avatars: images.map((i) => ({ path: `/lazy-static/avatars/${i.filename}`, width: i.width })) };
  }

  /** Image rows (avatars, banners) of many actors at once (a list page), as plain rows. */
  imagesOfActors(actorIds: number[]): Promise<ActorImageModel[]> {
    return ActorImageModel.findAll({ where: { actorId: actorIds }, raw: true });
  }

  /** Removes an actor (its images and keys go with the row). */
  async delete(id: number, t?: Transaction): Promise<void> {
    await ActorModel.destroy({ where: { id }, transaction: t });
  }

  /** The URL of the local actor with this name (WebFinger), or null. */
  async localActorUrl(name: string): Promise<string | null> {
    return (await ActorModel.findLocalByName(name))?.url ?? null;
  }

  /** The local actor with this name (accounts, channels, the instance actor), or null. */
  findLocalByName(name: string): Promise<ActorModel | null> {
    return ActorModel.findLocalByName(name);
  }

  /** An actor, local or remote, by its ActivityPub id, with its server. */
  findByUrl(url: string): Promise<ActorModel | null> {
    return ActorModel.findOne({ where: { url }, include: [{ model: ServerModel, required: false }] });
  }

  /** Inboxes of many actors at once (delivery fan-out), with their servers. */
  findManyByIds(ids: number[]): Promise<ActorModel[]> {
    if (ids.length === 0) return Promise.resolve([]);
    return ActorModel.findAll({
      where: { id: ids },
      attributes: ['id', 'url', 'inboxUrl', 'sharedInboxUrl', 'serverId'],
      include: [{ model: ServerModel, required: false }],
    });
  }

  findById(id: number): Promise<ActorModel | null> {
    return ActorModel.findByPk(id, { include: [{ model: ServerModel, required: false }] });
  }

  /** The server row of a remote host (created on first sight). */
  async serverOfHost(host: string): Promise<{ id: number; host: string; blocked: boolean }> {
    const [server] = await ServerModel.findOrCreate({ where: { host: host.toLowerCase() }, defaults: { host: host.toLowerCase() } });
    return server;
  }

  /** Creates or refreshes a remote actor from its (validated) ActivityPub document. */
  async upsertRemote(doc: RemoteActorData): Promise<ActorModel> {
    const server = await this.serverOfHost(doc.host);
    const values = {
      type: doc.type,
      preferredUsername: doc.preferredUsername,
      url: doc.url,
      publicKey: doc.publicKeyPem,
      inboxUrl: doc.inboxUrl,
      sharedInboxUrl: doc.sharedInboxUrl,
      outboxUrl: doc.outboxUrl,
      followersUrl: doc.followersUrl,
      followingUrl: doc.followingUrl,
      serverId: server.id,
      remoteCreatedAt: doc.published,
      // A document without `updated` (PeerTube's, Mastodon's) keeps the date of the last one that had it.
      ...(doc.updated ? { remoteUpdatedAt: doc.updated } : {}),
    };
    const existing = await ActorModel.findOne({ where: { url: doc.url } });
    if (existing) return this.refreshRemote(existing, values);
    try {
      const created = await ActorModel.create(values);
      return (await this.findById(created.id))!;
    } catch (err) {
      // Another process (or request) inserted the same actor meanwhile: it is refreshed instead.
      if (!(err instanceof UniqueConstraintError)) throw err;
      const raced = await ActorModel.findOne({ where: { url: doc.url } });
      if (!raced) throw err;
      return this.refreshRemote(raced, values);
    }
  }

  private async refreshRemote(existing: ActorModel, values: Partial<ActorModel>): Promise<ActorModel> {
    existing.set(values);
    existing.changed('updatedAt', true);
    await existing.save();
    return (await this.findById(existing.id))!;
  }

  /**
   * A remote actor's avatars or banners, as the origin's URLs (nothing is downloaded): the rows are
   * replaced only when the set of URLs changed, so a refresh that changes nothing keeps their dates.
   */
  async setRemoteImages(actorId: number, type: number, images: { url: string; width: number; height: number }[]): Promise<void> {
    const old = await ActorImageModel.findAll({ where: { actorId, type }, order: [['id', 'ASC']] });
    const same = old.length === images.length && old.every((o, i) => o.fileUrl === images[i].url && o.width === images[i].width && o.height === images[i].height);
    if (same) return;
    await ActorModel.sequelize!.transaction(async (transaction) => {
      await ActorImageModel.destroy({ where: { actorId, type }, transaction });
      await ActorImageModel.bulkCreate(
        images.map((i, n) => ({ actorId, type, fileUrl: i.url, width: i.width, height: i.height, onDisk: false, filename: `remote-${actorId}-${type}-${n}-${Date.now()}` })),
        { transaction },
      );
    });
  }

  async setFollowCounts(id: number, counts: { followersCount?: number; followingCount?: number }): Promise<void> {
    await ActorModel.update(counts, { where: { id } });
  }

  /** Blocked hosts (server block list). */
  async setServerBlocked(host: string, blocked: boolean): Promise<void> {
    const server = await this.serverOfHost(host);
    await ServerModel.update({ blocked }, { where: { id: server.id } });
  }

  async isServerBlocked(host: string): Promise<boolean> {
    return (await ServerModel.findOne({ where: { host: host.toLowerCase(), blocked: true } })) !== null;
  }

  /** Blocked hosts, with when they were blocked (the row's last change). */
  async listBlockedServers(): Promise<{ host: string; blockedAt: Date }[]> {
    const rows = await ServerModel.findAll({ where: { blocked: true }, order: [['host', 'ASC']] });
    return rows.map((r) => ({ host: r.host, blockedAt: r.get('updatedAt') as Date }));
  }

  /** Creates a local actor with its own RSA-2048 key pair. */
  async createLocal(kind: LocalActorKind, type: ActorType, name: string, t?: Transaction): Promise<ActorModel> {
    if (await this.isLocalNameTaken(name, t)) {
      throw conflict(`The name "${name}" is already taken on this instance`, ErrorCode.ACTOR_NAME_TAKEN);
    }
    const keys = await generateRsaKeyPair();
    try {
      return await ActorModel.create(
        {
          type,
          preferredUsername: name,
          ...actorUrls(this.config.webserverUrl, kind, name),
          publicKey: keys.publicKey,
          privateKey: keys.privateKey,
          serverId: null,
        },
        { transaction: t },
      );
    } catch (err) {
      // Lost a race with another request creating the same name: the unique index answers.
      if ((err as { name?: string }).name === 'SequelizeUniqueConstraintError') {
        throw conflict(`The name "${name}" is already taken on this instance`, ErrorCode.ACTOR_NAME_TAKEN);
      }
      throw err;
    }
  }

  /** First free local name from `base`: base, base-1, base-2… (default channel names). */
  async findAvailableName(base: string, t?: Transaction): Promise<string> {
    for (let i = 0; ; i++) {
      const candidate = i === 0 ? base : `${base.slice(0, 45)}-${i}`;
      if (!(await this.isLocalNameTaken(candidate, t))) return candidate;
    }
  }

  host(actor: ActorModel): string {
    return actor.Server?.host ?? this.config.webserverHost;
  }

  formatImages(actor: ActorModel, type: number): ActorImage[] {
    return (actor.Images ?? [])
      .filter((i) => i.type === type)
      .map((i) => {
        const folder = type === ActorImageType.AVATAR ? 'avatars' : 'banners';
        const path = `/lazy-static/${folder}/${i.filename}`;
        return {
          path,
          fileUrl: i.onDisk ? `${this.config.webserverUrl}${path}` : (i.fileUrl ?? undefined),
          width: i.width,
          height: i.height,
          createdAt: i.createdAt.toISOString(),
          updatedAt: i.updatedAt.toISOString(),
        };
      });
  }

  /** The fields Account and VideoChannel share (PeerTube's Actor). */
  formatActorFields(actor: ActorModel) {
    return {
      url: actor.url,
      name: actor.preferredUsername,
      host: this.host(actor),
      hostRedundancyAllowed: actor.Server ? actor.Server.redundancyAllowed : null,
      avatars: this.formatImages(actor, ActorImageType.AVATAR),
      followersCount: actor.followersCount,
      followingCount: actor.followingCount,
    };
  }
}

/** A remote actor's fields, as validated from its ActivityPub document. */
export interface RemoteActorData {
  type: ActorType;
  preferredUsername: string;
  url: string;
  host: string;
  publicKeyPem: string;
  inboxUrl: string;
  sharedInboxUrl: string | null;
  outboxUrl: string | null;
  followersUrl: string | null;
  followingUrl: string | null;
  published: Date | null;
  /** The profile's `updated` date, when the document gives one. */
  updated: Date | null;
}
