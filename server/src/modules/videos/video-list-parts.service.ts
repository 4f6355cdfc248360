import { Injectable } from '@nestjs/common';
import { ActorsService } from '../actors/actors.service';
import { MediaFilesRepository } from '../media-files';
import type { VideoModel } from './video.model';

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
 * What `separate` includes load for model instances, for the plain rows of a list page:
 * thumbnails, both actors' images and, when asked, the files — one query each, made by the module
 * that owns the table, attached under the same property names.
 */
@Injectable()
export class VideoListParts {
  constructor(
    private readonly mediaFiles: MediaFilesRepository,
    private readonly actors: ActorsService,
  ) {}

  async attach(videos: VideoModel[], withFiles: boolean): Promise<void> {
    if (!videos.length) return;
    const ids = videos.map((v) => v.id);
    const actors = videos.flatMap((v) => [v.VideoChannel!.Actor!, v.VideoChannel!.Account!.Actor!]);
    // A plain row's missing left-joined server is an object of nulls, not null.
    for (const actor of actors) if (actor.Server?.id == null) actor.Server = null;
    const [thumbnails, images, files] = await Promise.all([
      this.mediaFiles.thumbnailsOfVideos(ids),
      this.actors.imagesOfActors([...new Set(actors.map((a) => a.id))]),
      withFiles ? this.mediaFiles.filesOfVideos(ids) : null,
    ]);
    const thumbnailsOf = groupBy(thumbnails, (t) => t.videoId);
    const imagesOf = groupBy(images, (i) => i.actorId);
    for (const video of videos) video.Thumbnails = thumbnailsOf.get(video.id) ?? [];
    for (const actor of actors) actor.Images = imagesOf.get(actor.id) ?? [];
    if (!files) return;
    const filesOf = groupBy(files.files, (f) => f.videoId);
    const playlistsOf = groupBy(files.playlists, (p) => p.videoId);
    for (const video of videos) {
      video.VideoFiles = filesOf.get(video.id) ?? [];
      video.VideoStreamingPlaylists = playlistsOf.get(video.id) ?? [];
    }
  }
}
