import { Injectable, type OnModuleInit } from '@nestjs/common';
import { logger } from '../../common/logger';
import { ActorImageType } from '../actors';
import { ActorsService } from '../actors/actors.service';
import { ChannelsService } from '../channels/channels.service';
import { AccountsService } from '../users/accounts.service';
import { idOf } from './activities';
import { actorImages, actorProfile } from './actor-profile';
import { InboxService } from './inbox.service';
import { ACTOR_TYPES, hostOf, parseActorDocument, RemoteActorsService } from './remote-actors.service';

type Json = Record<string, unknown>;
type ActorRow = Awaited<ReturnType<ActorsService['findById']>> & object;

/**
 * Remote accounts' and channels' profiles: display name, description, support text, avatars and
 * banners, kept in step with the actor's document whenever it is stored (first fetch, refresh when
 * stale) and when the actor sends its own `Update{Person|Group}`.
 */
@Injectable()
export class RemoteProfilesService implements OnModuleInit {
  constructor(
    private readonly inbox: InboxService,
    private readonly remoteActors: RemoteActorsService,
    private readonly actors: ActorsService,
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
  ) {}

  onModuleInit(): void {
    this.remoteActors.onStored((actor, doc) => this.sync(actor, doc));
    this.inbox.register('Update', (a, s) => this.onUpdate(a, s));
  }

  /** Applies the document's profile to the actor's images and to its account or channel row, when there is one. */
  private async sync(actor: ActorRow, doc: Json): Promise<void> {
    await this.actors.setRemoteImages(actor.id, ActorImageType.AVATAR, actorImages(doc.icon, { width: 120, height: 120 }));
    if (actor.type === 'Group') await this.actors.setRemoteImages(actor.id, ActorImageType.BANNER, actorImages(doc.image, { width: 1920, height: 317 }));
    const profile = actorProfile(doc, actor.preferredUsername);
    if (actor.type === 'Group') {
      await this.channels.updateRemoteProfile(actor.id, profile);
    } else if (await this.accounts.refOfActor(actor.id)) {
      await this.accounts.upsertRemote(actor.id, profile.name, profile.description);
    }
  }

  /**
   * `Update{Person|Group|…}`: a profile change (§6.3). Only the actor itself may send it (its id is
   * the signer's, on the signer's host), and only for an actor already known here; the embedded
   * document is validated like a fetched one, and a new public key in it replaces the stored one.
   * One whose `updated` is older than the stored profile's changes nothing (a late delivery).
   */
  private async onUpdate(activity: Json, signerUrl: string): Promise<void> {
    const object = activity.object;
    if (!object || typeof object !== 'object') return;
    const doc = object as Json;
    if (typeof doc.type !== 'string' || !ACTOR_TYPES.has(doc.type)) return;
    if (idOf(doc) !== signerUrl || idOf(activity.actor) !== signerUrl) {
      logger.warn({ object: idOf(doc), signer: signerUrl }, 'actor Update by another actor refused');
      return;
    }
    const data = parseActorDocument(doc);
    if (!data || data.url !== signerUrl || hostOf(data.url) !== hostOf(signerUrl)) {
      logger.info({ object: signerUrl }, 'invalid actor document in Update refused');
      return;
    }
    const known = await this.actors.findByUrl(signerUrl);
    if (!known || known.serverId === null) return;
    // An Update delivered late (a retry that comes after a newer one) must not bring an old profile back.
    if (data.updated && known.remoteUpdatedAt && data.updated.getTime() < known.remoteUpdatedAt.getTime()) {
      logger.info({ object: signerUrl, updated: data.updated, stored: known.remoteUpdatedAt }, 'actor Update older than the stored profile ignored');
      return;
    }
    await this.remoteActors.store(data, doc);
  }
}
