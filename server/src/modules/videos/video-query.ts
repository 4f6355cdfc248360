import { literal, Op, type Order, type Sequelize, type WhereOptions } from 'sequelize';
import { ErrorCode, VideoInclude, VideoPrivacy, VideoState, type VideoListQuery } from '@flotilla/shared';
import { forbidden } from '../../common/app-error';
import { hasRight, UserRight } from '../../common/rights';
import type { AuthUser } from '../users/users.types';

export interface ListScope {
  /** The caller, when logged in. */
  user?: AuthUser;
  accountId?: number;
  channelId?: number;
  /** Videos of the channels whose actors are these (subscriptions: what an account follows, from federation's follows). */
  channelActorIds?: number[];
  /** `/users/me/videos`: every video of this user, any state or privacy. */
  ownerUserId?: number;
  defaultNsfwPolicy: string;
  localHost: string;
}

/** `word1:* & word2:*` from free text: prefix matching on every word, nothing but letters and digits. */
export function prefixTsQuery(search: string): string | null {
  const words = search.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return words.length ? words.slice(0, 10).map((w) => `${w}:*`).join(' & ') : null;
}

/** The WHERE of every video list: visibility first, then the query's filters. */
export function listWhere(sequelize: Sequelize, q: VideoListQuery, scope: ListScope): WhereOptions {
  const and: unknown[] = [];
  const seeAll = !!scope.user && hasRight(scope.user.role, UserRight.SEE_ALL_VIDEOS);

  if (scope.ownerUserId !== undefined) {
    and.push(literal(`"Video"."channel_id" IN (SELECT c.id FROM video_channel c JOIN account a ON a.id = c.account_id WHERE a.user_id = ${Number(scope.ownerUserId)})`));
  } else {
    if (!(seeAll && q.include !== undefined && (q.include & VideoInclude.NOT_PUBLISHED_STATE))) {
      and.push({ [Op.or]: [{ state: VideoState.PUBLISHED }, { state: VideoState.TO_TRANSCODE, waitTranscoding: false }] });
    }
    // Hidden videos (a moderator's blacklist) leave every list but moderators' asking for them.
    // NOT IN (a hashed subplan: the page keeps its index scan on the sort key and stops at the
    // limit), not NOT EXISTS (planned as a hash anti-join over the whole table: the 10k-video list
    // bench went from 87 to 104–122 ms p50). video_id is NOT NULL, so both mean the same.
    if (!(seeAll && q.include !== undefined && (q.include & VideoInclude.BLACKLISTED))) {
      and.push(literal(`"Video"."id" NOT IN (SELECT b.video_id FROM video_blacklist b)`));
    }
    // Videos of hosts on the server block list leave every list (PeerTube's muted instances).
    and.push(literal(`"Video"."channel_id" NOT IN (SELECT c.id FROM video_channel c JOIN actor a ON a.id = c.actor_id JOIN server s ON s.id = a.server_id WHERE s.blocked)`));
    if (q.privacyOneOf?.length) {
      if (!seeAll) throw forbidden('Only moderators may filter on privacy', ErrorCode.INSUFFICIENT_ROLE);
      and.push({ privacy: { [Op.in]: q.privacyOneOf } });
    } else {
      // Logged-in users also see internal videos; private ones only in their own lists.
      and.push({ privacy: { [Op.in]: scope.user ? [VideoPrivacy.PUBLIC, VideoPrivacy.INTERNAL] : [VideoPrivacy.PUBLIC] } });
    }
  }
  if (scope.accountId !== undefined) {
    and.push(literal(`"Video"."channel_id" IN (SELECT id FROM video_channel WHERE account_id = ${Number(scope.accountId)})`));
  }
  if (scope.channelId !== undefined) and.push({ channelId: scope.channelId });
  if (scope.channelActorIds !== undefined) {
    const ids = scope.channelActorIds.map(Number).filter(Number.isInteger);
    and.push(literal(ids.length ? `"Video"."channel_id" IN (SELECT id FROM video_channel WHERE actor_id IN (${ids.join(',')}))` : 'false'));
  }

  if (q.categoryOneOf?.length) and.push({ category: { [Op.in]: q.categoryOneOf } });
  if (q.licenceOneOf?.length) and.push({ licence: { [Op.in]: q.licenceOneOf } });
  if (q.languageOneOf?.length) {
    const langs = q.languageOneOf.filter((l) => l !== '_unknown');
    const or: unknown[] = [];
    if (langs.length) or.push({ language: { [Op.in]: langs } });
    if (q.languageOneOf.includes('_unknown')) or.push({ language: null });
    and.push({ [Op.or]: or });
  }
  if (q.tagsOneOf?.length) and.push({ tags: { [Op.overlap]: q.tagsOneOf } });
  if (q.tagsAllOf?.length) and.push({ tags: { [Op.contains]: q.tagsAllOf } });

  const nsfw = q.nsfw ?? (scope.ownerUserId !== undefined ? 'both' : (scope.user?.nsfwPolicy ?? scope.defaultNsfwPolicy) === 'do_not_list' ? 'false' : 'both');
  if (nsfw !== 'both') and.push({ nsfw: nsfw === 'true' });
  if (q.isLocal !== undefined) and.push({ remote: !q.isLocal });
  if (q.isLive !== undefined) and.push({ isLive: q.isLive });
  if (q.hasHLSFiles !== undefined) {
    and.push(literal(`${q.hasHLSFiles ? '' : 'NOT '}EXISTS (SELECT 1 FROM video_streaming_playlist p WHERE p.video_id = "Video"."id")`));
  }
  if (q.hasWebVideoFiles !== undefined) {
    and.push(literal(`${q.hasWebVideoFiles ? '' : 'NOT '}EXISTS (SELECT 1 FROM video_file f WHERE f.video_id = "Video"."id")`));
  }
  if (q.startDate) and.push({ publishedAt: { [Op.gte]: new Date(q.startDate) } });
  if (q.endDate) and.push({ publishedAt: { [Op.lte]: new Date(q.endDate) } });
  if (q.originallyPublishedStartDate) and.push({ originallyPublishedAt: { [Op.gte]: new Date(q.originallyPublishedStartDate) } });
  if (q.originallyPublishedEndDate) and.push({ originallyPublishedAt: { [Op.lte]: new Date(q.originallyPublishedEndDate) } });
  if (q.durationMin !== undefined) and.push({ duration: { [Op.gte]: q.durationMin } });
  if (q.durationMax !== undefined) and.push({ duration: { [Op.lte]: q.durationMax } });
  if (q.uuids?.length) and.push({ uuid: { [Op.in]: q.uuids.filter((u) => /^[0-9a-f-]{36}$/i.test(u)) } });
  // Another host: the videos whose channel's actor lives on it (remote videos, federation).
  if (q.host) {
    const host = sequelize.escape(q.host.toLowerCase());
    and.push(
      q.host.toLowerCase() === scope.localHost.toLowerCase()
        ? { remote: false }
        : literal(`"Video"."channel_id" IN (SELECT c.id FROM video_channel c JOIN actor a ON a.id = c.actor_id JOIN server s ON s.id = a.server_id WHERE s.host = ${host})`),
    );
  }

  if (q.search) {
    const ts = prefixTsQuery(q.search);
    const like = sequelize.escape(`%${q.search.replace(/[\\%_]/g, (c) => '\\' + c)}%`);
    and.push(
      literal(
        `(${ts ? `"Video"."search_vector" @@ to_tsquery('simple', ${sequelize.escape(ts)}) OR ` : ''}"Video"."name" ILIKE ${like})`,
      ),
    );
  }
  return { [Op.and]: and } as WhereOptions;
}

const COLUMNS: Record<string, string> = {
  name: 'name',
  duration: 'duration',
  createdAt: 'createdAt',
  publishedAt: 'publishedAt',
  originallyPublishedAt: 'originallyPublishedAt',
  views: 'views',
  likes: 'likes',
};

/** Trending: views of the last 7 days (PeerTube's default interval), from the daily counters. */
const TRENDING = `(SELECT coalesce(sum(d.views), 0) FROM video_views_daily d WHERE d.video_id = "Video"."id" AND d.day > current_date - 7)`;

export function listOrder(sequelize: Sequelize, sort: string | undefined, search: string | undefined): Order {
  const s = sort ?? '-publishedAt';
  const desc = s.startsWith('-');
  const key = s.replace(/^-/, '');
  const dir = desc ? 'DESC' : 'ASC';
  const nulls = desc ? 'DESC NULLS LAST' : 'ASC NULLS FIRST';
  if (key === 'trending' || key === 'hot' || key === 'best') {
    return [[literal(TRENDING), dir], ['views', dir], ['id', 'ASC']];
  }
  if (key === 'match') {
    const ts = search ? prefixTsQuery(search) : null;
    if (ts) return [[literal(`ts_rank("Video"."search_vector", to_tsquery('simple', ${sequelize.escape(ts)}))`), dir], ['id', 'ASC']];
    return [['publishedAt', 'DESC NULLS LAST'], ['id', 'ASC']];
  }
  return [[Object.hasOwn(COLUMNS, key) ? COLUMNS[key] : 'publishedAt', key === 'publishedAt' || key === 'originallyPublishedAt' ? nulls : dir], ['id', 'ASC']];
}
