import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import { ErrorCode } from '@flotilla/shared';
import { conflict, notFound } from '../../common/app-error';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { ActorsService } from '../actors/actors.service';
import { INSTANCE_ACTOR_NAME } from './ap-constants';
import { RemoteActorsService } from './remote-actors.service';

export interface ServerBlock {
  byAccount: { name: string; host: string; displayName: string };
  blockedServer: { host: string };
  createdAt: string;
  /** Flotilla's addition: blocked by `federation.blocked_hosts`, removable only there. */
  fromConfig: boolean;
}

/**
 * The server block list (PeerTube's "muted instances" of the instance account): a blocked host's
 * activities are dropped at the inbox, its follows get a Reject, nothing is delivered to it and its
 * videos leave every list. Hosts come from the admin API and from `federation.blocked_hosts`.
 */
@Injectable()
export class ServerBlocklistService implements OnApplicationBootstrap {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    private readonly actors: ActorsService,
    private readonly remote: RemoteActorsService,
  ) {}

  /** The configured hosts are blocked in the database too (the inbox and the video lists read it there). */
  async onApplicationBootstrap(): Promise<void> {
    for (const host of this.config.federation.blocked_hosts) {
      if (host !== this.config.webserverHost.toLowerCase()) await this.setBlocked(host, true);
    }
  }

  async list(q: { start: number; count: number; sort?: string; search?: string }): Promise<{ total: number; data: ServerBlock[] }> {
    let rows = await this.actors.listBlockedServers();
    if (q.search) rows = rows.filter((r) => r.host.includes(q.search!.toLowerCase()));
    const sort = q.sort ?? '-createdAt';
    const key = (r: { host: string; blockedAt: Date }) => (sort.replace(/^-/, '') === 'host' ? r.host : r.blockedAt.toISOString());
    rows.sort((x, y) => key(x).localeCompare(key(y)) * (sort.startsWith('-') ? -1 : 1));
    const byAccount = { name: INSTANCE_ACTOR_NAME, host: this.config.webserverHost, displayName: INSTANCE_ACTOR_NAME };
    const data = rows.slice(q.start, q.start + q.count).map((r) => ({
      byAccount,
      blockedServer: { host: r.host },
      createdAt: r.blockedAt.toISOString(),
      fromConfig: this.config.federation.blocked_hosts.includes(r.host),
    }));
    return { total: rows.length, data };
  }

  /** Blocks a host (again: no error, as PeerTube); this instance itself cannot be blocked (409). */
  async block(host: string): Promise<void> {
    const h = host.toLowerCase();
    if (h === this.config.webserverHost.toLowerCase()) throw conflict('You cannot block your own server.', ErrorCode.SERVER_BLOCK_SELF);
    await this.setBlocked(h, true);
  }

  async unblock(host: string): Promise<void> {
    const h = host.toLowerCase();
    if (!(await this.actors.isServerBlocked(h))) throw notFound(`Server block entry for ${h} not found`, ErrorCode.SERVER_BLOCK_NOT_FOUND);
    if (this.config.federation.blocked_hosts.includes(h)) {
      throw conflict(`${h} is blocked by the configuration (federation.blocked_hosts)`, ErrorCode.SERVER_BLOCK_FROM_CONFIG);
    }
    await this.setBlocked(h, false);
  }

  private async setBlocked(host: string, blocked: boolean): Promise<void> {
    await this.actors.setServerBlocked(host, blocked);
    this.remote.forgetBlocked(host);
  }
}
