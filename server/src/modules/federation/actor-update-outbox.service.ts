import { Injectable, type OnModuleInit } from '@nestjs/common';
import { logger } from '../../common/logger';
import { EventBus } from '../../platform/events/event-bus.service';
import { ActorJsonService } from '../activitypub/actor-json.service';
import { ActorsService } from '../actors/actors.service';
import { ChannelsService } from '../channels/channels.service';
import { AccountsService } from '../users/accounts.service';
import { AP_PUBLIC } from './ap-constants';
import { DeliveryService } from './delivery.service';
import { FollowsService } from './follows.service';

/**
 * A local account's or channel's profile changed (display name, description, support, avatar,
 * banner): `Update{Person|Group}` with the actor's whole document, by the actor itself, to its
 * followers (§6.2), so that remote instances and Mastodon show the new profile.
 */
@Injectable()
export class ActorUpdateOutboxService implements OnModuleInit {
  constructor(
    private readonly events: EventBus,
    private readonly actors: ActorsService,
    private readonly accounts: AccountsService,
    private readonly channels: ChannelsService,
    private readonly json: ActorJsonService,
    private readonly follows: FollowsService,
    private readonly delivery: DeliveryService,
  ) {}

  onModuleInit(): void {
    this.events.on('actor.updated', ({ actorId }) =>
      this.send(actorId).catch((err: Error) => logger.error({ err: err.message, actorId }, 'actor Update not sent')),
    );
  }

  private async send(actorId: number): Promise<void> {
    const actor = await this.actors.findById(actorId);
    if (!actor || actor.serverId !== null) return;
    const followers = await this.follows.followerIds([actorId]);
    if (followers.length === 0) return;
    const doc =
      actor.type === 'Group'
        ? this.json.channel(await this.channels.findByHandle(actor.preferredUsername))
        : actor.type === 'Person'
          ? this.json.account(await this.accounts.findByHandle(actor.preferredUsername))
          : null;
    if (!doc) return;
    const { '@context': context, ...object } = doc;
    // `updated` on the object: an instance that stores it can tell a late delivery (a retry) from a newer profile.
    const at = new Date().toISOString();
    const update = {
      '@context': context,
      id: `${actor.url}/updates/${at}`,
      type: 'Update',
      actor: actor.url,
      object: { ...object, updated: at },
      to: [AP_PUBLIC],
      cc: [actor.followersUrl ?? `${actor.url}/followers`],
    };
    await this.delivery.toActors(followers, update, actorId);
  }
}
