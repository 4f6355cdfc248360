import type { Includeable } from 'sequelize';
import { actorInclude, ActorImageModel } from '../actors';
import { VideoChannelModel } from '../channels';
import { AccountModel } from '../users';
import { ThumbnailModel, VideoFileModel, VideoStreamingPlaylistModel } from '../media-files';
import type { VideoModel } from './video.model';

/** The channel, its account and both actors: what the formatter needs for summaries and full objects. */
export const channelInclude = (opts: { withImages?: boolean } = {}): Includeable => ({
  model: VideoChannelModel,
  required: true,
  include: [actorInclude(opts), { model: AccountModel, required: true, include: [actorInclude(opts)] }],
});

/**
 * The one-to-one part of a video list page, for plain rows (`raw` + `nest`): building model
 * instances was about 40 % of a list request's CPU. attachListParts loads the rest.
 */
export const listIncludes = (): Includeable[] => [channelInclude({ withImages: false })];

const groupBy = <T, K>(items: T[], key: (item: T) => K): Map<K, T[]> => {
  const out = new Map<K, T[]>();
  for (const item of items) {
    const k = key(item);
    const list = out.get(k);
    if (list) list.push(item);
    else out.set(k, [item]);
  }
  return out;
};

/**
 * What `separate` includes load for model instances, for the plain rows of a list page: thumbnails,
 * both actors' images (plain rows too: no getters on either) and, when asked, the files — one
 * query each, under the same property names.
 */
export async function attachListParts(videos: VideoModel[], withFiles: boolean): Promise<void> {
  if (!videos.length) return;
  const ids = videos.map((v) => v.id);
  const actors = videos.flatMap((v) => [v.VideoChannel!.Actor!, v.VideoChannel!.Account!.Actor!]);
  // A plain row's missing left-joined server is an object of nulls, not null.
  for (const actor of actors) if (actor.Server?.id == null) actor.Server = null;
  const [thumbnails, images] = await Promise.all([
    ThumbnailModel.findAll({ where: { videoId: ids }, raw: true }),
    ActorImageModel.findAll({ where: { actorId: [...new Set(actors.map((a) => a.id))] }, raw: true }),
  ]);
  const thumbnailsOf = groupBy(thumbnails, (t) => t.videoId);
  const imagesOf = groupBy(images, (i) => i.actorId);
  for (const video of videos) video.Thumbnails = thumbnailsOf.get(video.id) ?? [];
  for (const actor of actors) actor.Images = imagesOf.get(actor.id) ?? [];
  if (!withFiles) return;
  // Model instances here: a file's size getter turns pg's BIGINT string into a number.
  const [files, playlists] = await Promise.all([
    VideoFileModel.findAll({ where: { videoId: ids }, attributes: fileAttributes }),
    VideoStreamingPlaylistModel.findAll({ where: { videoId: ids } }),
  ]);
  const playlistFiles = playlists.length
    ? await VideoFileModel.findAll({ where: { videoStreamingPlaylistId: playlists.map((p) => p.id) }, attributes: fileAttributes })
    : [];
  const filesOf = groupBy(files, (f) => f.videoId);
  const filesOfPlaylist = groupBy(playlistFiles, (f) => f.videoStreamingPlaylistId);
  for (const playlist of playlists) playlist.VideoFiles = filesOfPlaylist.get(playlist.id) ?? [];
  const playlistsOf = groupBy(playlists, (p) => p.videoId);
  for (const video of videos) {
    video.VideoFiles = filesOf.get(video.id) ?? [];
    video.VideoStreamingPlaylists = playlistsOf.get(video.id) ?? [];
  }
}

/** The per-segment hashes only serve the HLS index rewrite: API reads leave them in the database. */
const fileAttributes = { exclude: ['segmentsSha256'] };

export const fileIncludes = (): Includeable[] => [
  { model: VideoFileModel, separate: true, attributes: fileAttributes },
  { model: VideoStreamingPlaylistModel, separate: true, include: [{ model: VideoFileModel, separate: true, attributes: fileAttributes }] },
];

export const detailIncludes = (): Includeable[] => [channelInclude(), { model: ThumbnailModel, separate: true }, ...fileIncludes()];
