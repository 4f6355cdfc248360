import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import type { Sequelize, Transaction } from 'sequelize';
import { hlsPlaylistFileName, hlsPlaylistFileNameFor, hlsVideoFileName, swarmInfoHashesFromMaster } from '@flotilla/shared';
import { logger } from '../../common/logger';
import { EventBus } from '../../platform/events/event-bus.service';
import { SEQUELIZE } from '../../common/tokens';
import { buildMasterPlaylist, byteRanges, codecsOf, rewriteMediaPlaylist, type MasterVariant } from './hls-playlists';
import { MediaFilesRepository } from './media-files.repository';
import { probeFile } from './media-tools';
import { hashRanges, readStagedText } from './upload-staging';
import { STORAGE_PROVIDER, type StorageKey, type StorageProvider } from './providers/storage-provider';
import type { VideoStreamingPlaylistModel } from './video-streaming-playlist.model';

/** What the HLS folder needs of a video. */
export interface HlsVideo {
  id: number;
  uuid: string;
  duration: number;
}

/** A rendition as a runner uploaded it, in the staging area. */
export interface StagedRendition {
  videoFile: { path: string; originalName: string };
  resolutionPlaylistFile: { path: string };
}

/** Namespace of the per-video advisory lock (the other key is the video id). */
const HLS_LOCK_NAMESPACE = 727002;
const MAX_PLAYLIST_BYTES = 1024 * 1024;

const hlsKey = (videoUuid: string, file: string): StorageKey => ({ area: 'hls', name: `${videoUuid.toLowerCase()}/${file}` });
/**
 * A video's HLS folder (`streaming-playlists/hls/<uuid>/`): adds renditions sent by runners and
 * keeps the master playlist and `segments-sha256.json` in step with the `video_file` rows. Every
 * change holds a PostgreSQL advisory lock on the video (works across server processes), so two
 * renditions finishing together never drop one another from the master playlist.
 */
@Injectable()
export class HlsStorageService {
  constructor(
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly events: EventBus,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    private readonly repo: MediaFilesRepository,
  ) {}

  /** Removes a video's whole HLS folder (the video is gone). */
  removeFolder(videoUuid: string): Promise<void> {
    return this.storage.removeFolder('hls', videoUuid.toLowerCase());
  }

  withVideoLock<T>(videoId: number, fn: (t: Transaction) => Promise<T>): Promise<T> {
    return this.sequelize.transaction(async (transaction) => {
      await this.sequelize.query('SELECT pg_advisory_xact_lock(:ns, :id)', { replacements: { ns: HLS_LOCK_NAMESPACE, id: videoId }, transaction });
      return fn(transaction);
    });
  }

  /**
   * Stores one rendition: the fMP4 and its media playlist get PeerTube's names
   * (`<rand>-<res>-fragmented.mp4`, `<rand>-<res>.m3u8`), the playlist is rewritten to the new
   * name, the file row is added (replacing a previous file of that resolution), then master and
   * hashes are rewritten. Nothing lands outside the video's folder: names are generated here.
   */
  async addRendition(video: HlsVideo, files: StagedRendition, resolution: number) {
    const name = randomUUID();
    const videoFileName = hlsVideoFileName(name, resolution);
    const playlistFileName = hlsPlaylistFileName(name, resolution);
    const playlistText = await readStagedText(files.resolutionPlaylistFile.path, MAX_PLAYLIST_BYTES, 'Resolution playlist is too large');
    const rewritten = rewriteMediaPlaylist(playlistText, files.videoFile.originalName, videoFileName);
    // Probe and segment hashes now, outside the video's lock, once per rendition.
    const [probe, segmentsSha256] = await Promise.all([
      probeFile(files.videoFile.path),
      hashRanges(files.videoFile.path, byteRanges(rewritten)),
    ]);
    if (!probe.video && resolution > 0) throw new Error('The uploaded rendition has no video stream');

    const written = [hlsKey(video.uuid, videoFileName), hlsKey(video.uuid, playlistFileName)];
    try {
      await this.storage.segmentWritten(files.videoFile.path, written[0]!);
      await this.storage.playlistWritten(written[1]!, rewritten);
      const size = (await this.storage.stat(written[0]!))?.size ?? 0;
      return await this.withVideoLock(video.id, async (transaction) => {
        const playlist = await this.repo.findOrCreateHlsPlaylist(video.id, transaction);
        const replaced = await this.repo.renditionsOf(playlist.id, transaction, resolution);
        await this.repo.createRendition(
          playlist.id,
          {
            resolution,
            size,
            fps: probe.video ? Math.round(probe.video.fps * 100) / 100 : -1,
            width: probe.video?.width ?? null,
            height: probe.video?.height ?? null,
            extname: '.mp4',
            filename: videoFileName,
            hasAudio: !!probe.audio,
            hasVideo: !!probe.video,
            codecs: codecsOf(probe),
            duration: probe.duration || null,
            segmentsSha256,
          },
          transaction,
        );
        for (const old of replaced) await old.destroy({ transaction });
        await this.rewriteIndex(video, playlist, transaction);
        // Files of a replaced rendition go once the new index no longer names them.
        for (const old of replaced) {
          await this.storage.remove(hlsKey(video.uuid, old.filename));
          await this.storage.remove(hlsKey(video.uuid, hlsPlaylistFileNameFor(old.filename)));
        }
        return { videoFileName, playlistFileName };
      });
    } catch (err) {
      await Promise.all(written.map((k) => this.storage.remove(k)));
      throw err;
    }
  }

  /**
   * Master playlist and segments-sha256.json from the playlist's current files. The hash file is
   * keyed like PeerTube's: `{ "<fmp4 name>": { "<first>-<last byte>": "<sha256 hex>" } }`, one entry
   * per `#EXT-X-BYTERANGE` segment: what the web player checks peer segments against.
   */
  async rewriteIndex(video: HlsVideo, playlist: VideoStreamingPlaylistModel, transaction?: Transaction): Promise<void> {
    const files = await this.repo.renditionsOf(playlist.id, transaction);
    const variants: MasterVariant[] = [];
    const hashes: Record<string, Record<string, string>> = {};
    for (const file of files) {
      const mediaPlaylist = hlsPlaylistFileNameFor(file.filename);
      let { codecs, duration, segmentsSha256 } = file;
      if (!codecs || !segmentsSha256) {
        // A row from before these columns: compute once, keep for the next rewrite.
        const content = await this.storage.readText(hlsKey(video.uuid, mediaPlaylist), MAX_PLAYLIST_BYTES);
        if (content === null) {
          logger.warn({ video: video.uuid, file: file.filename }, 'HLS rendition without its playlist: left out of the master');
          continue;
        }
        const [probe, hashes] = await this.storage.withLocalFile(hlsKey(video.uuid, file.filename), (path) =>
          Promise.all([probeFile(path), hashRanges(path, byteRanges(content))]),
        );
        segmentsSha256 = hashes;
        codecs = codecsOf(probe);
        duration = probe.duration || null;
        await file.update({ codecs, duration, segmentsSha256 }, { transaction });
      }
      hashes[file.filename] = segmentsSha256;
      variants.push({
        playlistFileName: mediaPlaylist,
        bandwidth: (file.size * 8) / (duration || video.duration || 1),
        width: file.width,
        height: file.height,
        fps: file.fps > 0 ? file.fps : 0,
        codecs,
      });
    }
    await this.storage.writeObject(hlsKey(video.uuid, playlist.segmentsSha256Filename), JSON.stringify(hashes));
    const master = buildMasterPlaylist(variants);
    await this.storage.playlistWritten(hlsKey(video.uuid, playlist.playlistFilename), master);
    // The swarms viewers will announce for this master: the tracker admits exactly these.
    const infoHashes = swarmInfoHashesFromMaster(video.uuid, master);
    await playlist.update({ p2pMediaLoaderInfoHashes: infoHashes, updatedAt: new Date() }, { transaction });
    this.events.emit('video.swarms-changed', { uuid: video.uuid, infoHashes });
  }
}
