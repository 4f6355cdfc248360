import { Inject, Injectable } from '@nestjs/common';
import { AP_ACTOR_CONTEXT_EXTRA, AP_BASE_CONTEXT, type APActor, type APImage } from '@flotilla/shared';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ActorImageType, type ActorModel } from '../actors';
import type { AccountModel } from '../users';
import type { VideoChannelModel } from '../channels';

export const ACTOR_CONTEXT = [...AP_BASE_CONTEXT, AP_ACTOR_CONTEXT_EXTRA];

/** Builds the ActivityPub documents of local actors (accounts, channels, the instance). */
@Injectable()
export class ActorJsonService {
  constructor(@Inject(CONFIG) private readonly config: AppConfig) {}

  private images(actor: ActorModel, type: number): APImage[] {
    const folder = type === ActorImageType.AVATAR ? 'avatars' : 'banners';
    return (actor.Images ?? [])
      .filter((i) => i.type === type)
      .map((i) => ({
        type: 'Image' as const,
        mediaType: 'image/webp',
        width: i.width,
        height: i.height,
        url: `${this.config.webserverUrl}/lazy-static/${folder}/${i.filename}`,
      }));
  }

  private base(actor: ActorModel, name: string, summary: string | null, webPage: string): APActor {
    return {
      '@context': ACTOR_CONTEXT,
      type: actor.type,
      id: actor.url,
      following: actor.followingUrl ?? `${actor.url}/following`,
      followers: actor.followersUrl ?? `${actor.url}/followers`,
      inbox: actor.inboxUrl,
      outbox: actor.outboxUrl ?? `${actor.url}/outbox`,
      preferredUsername: actor.preferredUsername,
      url: [{ type: 'Link', mediaType: 'text/html', href: webPage }],
      name,
      endpoints: { sharedInbox: actor.sharedInboxUrl ?? `${this.config.webserverUrl}/inbox` },
      publicKey: { id: `${actor.url}#main-key`, owner: actor.url, publicKeyPem: actor.publicKey ?? '' },
      published: actor.createdAt.toISOString(),
      summary,
      icon: this.images(actor, ActorImageType.AVATAR),
    };
  }

  account(account: AccountModel): APActor {
    const actor = account.Actor!;
    const page = `${this.config.webserverUrl}/a/${actor.preferredUsername}`;
    const json = this.base(actor, account.name, account.description, page);
    if (actor.type === 'Application') {
      // The instance actor has no playlists and no avatar of its own.
      delete json.icon;
      return json;
    }
    return { ...json, playlists: `${actor.url}/playlists`, indexable: true, discoverable: true };
  }

  channel(channel: VideoChannelModel): APActor {
    const actor = channel.Actor!;
    const page = `${this.config.webserverUrl}/c/${actor.preferredUsername}`;
    return {
      ...this.base(actor, channel.name, channel.description, page),
      playlists: `${actor.url}/playlists`,
      image: this.images(actor, ActorImageType.BANNER),
      attributedTo: [{ type: 'Person', id: channel.Account!.Actor!.url }],
      support: channel.support,
      postingRestrictedToMods: true,
      indexable: true,
      discoverable: true,
    };
  }
}
