import { Injectable } from '@nestjs/common';
import { ErrorCode, liveRtmpHlsUpdatePayloadSchema, type LiveRtmpHlsTranscodingPrivatePayload } from '@flotilla/shared';
import { badRequest } from '../../common/app-error';
import { LiveHlsStorageService } from '../media-files/live-hls-storage.service';
import type { UploadedRunnerFile } from '../runners';
import { VideosService } from '../videos/videos.service';
import { chunkSequence, offsetChunkName, rewriteContinuedPlaylist, SAFE_CHUNK_NAME, SAFE_PLAYLIST_NAME } from './live-playlists';
import type { ActiveLive } from './live-session';

/**
 * A live job's `update` (PeerTube's payload) checked and stored: the chunk first, then the media
 * playlist, then the master, so a viewer never sees a name before its file. Chunks of a later job
 * of the same session are renumbered after the earlier ones (see live-playlists).
 */
@Injectable()
export class LiveChunksService {
  constructor(
    private readonly videos: VideosService,
    private readonly liveHls: LiveHlsStorageService,
  ) {}

  /** Stores one update. Returns whether it carried the master playlist of the session's current job, and the chunk's size. */
  async store(
    priv: LiveRtmpHlsTranscodingPrivatePayload,
    entry: ActiveLive | undefined,
    files: Record<string, UploadedRunnerFile>,
    payload: Record<string, unknown> | undefined,
  ): Promise<{ masterWritten: boolean; chunkBytes: number }> {
    const parsed = liveRtmpHlsUpdatePayloadSchema.safeParse(payload ?? {});
    if (!parsed.success) throw badRequest(ErrorCode.INVALID_PARAMS, 'Invalid live update payload');
    const body = parsed.data;
    if (!SAFE_CHUNK_NAME.test(body.videoChunkFilename)) throw badRequest(ErrorCode.INVALID_PARAMS, 'Invalid videoChunkFilename');
    if (body.resolutionPlaylistFilename !== undefined && !SAFE_PLAYLIST_NAME.test(body.resolutionPlaylistFilename)) throw badRequest(ErrorCode.INVALID_PARAMS, 'Invalid resolutionPlaylistFilename');
    if (body.type === 'add-chunk' && !files.videoChunkFile) throw badRequest(ErrorCode.INVALID_PARAMS, 'add-chunk needs payload[videoChunkFile]');
    if (files.resolutionPlaylistFile && body.resolutionPlaylistFilename === undefined) throw badRequest(ErrorCode.INVALID_PARAMS, 'payload[resolutionPlaylistFile] needs resolutionPlaylistFilename');
    if (body.resolutionPlaylistFilename !== undefined && !files.resolutionPlaylistFile) throw badRequest(ErrorCode.INVALID_PARAMS, 'resolutionPlaylistFilename without its file');

    const id = entry?.videoId ?? (await this.videoIdOf(priv.videoUUID));
    if (id === null) return { masterWritten: false, chunkBytes: 0 };
    const video = { id, uuid: priv.videoUUID };
    const offset = priv.segmentOffset ?? 0;
    const generation = priv.generation ?? 0;
    const stored = offsetChunkName(body.videoChunkFilename, offset);
    let chunkBytes = 0;
    if (body.type === 'add-chunk') {
      chunkBytes = await this.liveHls.addChunk(video, stored, files.videoChunkFile!.path);
      const seq = chunkSequence(stored);
      if (entry && seq !== null) entry.maxSeq = Math.max(entry.maxSeq, seq);
      if (entry && entry.generation === generation) entry.chunksThisJob++;
    } else {
      await this.liveHls.removeChunk(video, stored, entry?.saveReplay ?? false);
    }
    // A previous job of the session still flushing: its chunks are kept, its playlists are old.
    const current = !entry || entry.generation === generation;
    if (current && body.resolutionPlaylistFilename && files.resolutionPlaylistFile) {
      const text = await this.liveHls.readStaged(files.resolutionPlaylistFile.path);
      await this.liveHls.writePlaylist(video, body.resolutionPlaylistFilename, rewriteContinuedPlaylist(text, offset, generation));
    }
    if (current && files.masterPlaylistFile) {
      await this.liveHls.writeMaster(video, await this.liveHls.readStaged(files.masterPlaylistFile.path));
      return { masterWritten: true, chunkBytes };
    }
    return { masterWritten: false, chunkBytes };
  }

  private async videoIdOf(uuid: string): Promise<number | null> {
    try {
      return (await this.videos.loadByIdentifier(uuid)).id;
    } catch {
      return null;
    }
  }
}
