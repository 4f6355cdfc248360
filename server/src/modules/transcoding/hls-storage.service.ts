import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { open, mkdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Sequelize, Transaction } from 'sequelize';
import { hlsPlaylistFileName, hlsPlaylistFileNameFor, hlsVideoFileName, swarmInfoHashesFromMaster, VideoStreamingPlaylistType } from '@flotilla/shared';
import { sha256Hex } from '../../common/crypto';
import { logger } from '../../common/logger';
import { EventBus } from '../../platform/events/event-bus.service';
import { CONFIG, SEQUELIZE } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import type { UploadedRunnerFile } from '../runners/runner-job-handlers';
import { VideoFileModel } from '../videos/video-file.model';
import { hlsDirectory } from '../videos/video-paths';
import { VideoStreamingPlaylistModel } from '../videos/video-streaming-playlist.model';
import type { VideoModel } from '../videos/video.model';
import { buildMasterPlaylist, byteRanges, codecsOf, rangeKey, rewriteMediaPlaylist, type MasterVariant } from './hls-playlists';
import { moveFile, probeRendition, writeFileAtomic } from './rendition-files';

/** Namespace of the per-video advisory lock (the other key is the video id). */
const HLS_LOCK_NAMESPACE = 727002;

/**
 * A video's HLS folder (`streaming-playlists/hls/<uuid>/`): adds renditions sent by runners and
 * keeps the master playlist and `segments-sha256.json` in step with the `video_file` rows. Every
 * change holds a PostgreSQL advisory lock on the video (works across server processes), so two
 * renditions finishing together never drop one another from the master playlist.
 */
@Injectable()
export class HlsStorageService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(SEQUELIZE) private readonly sequelize: Sequelize,
    private readonly events: EventBus,
  ) {}

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
  async addRendition(video: VideoModel, files: { videoFile: UploadedRunnerFile; resolutionPlaylistFile: UploadedRunnerFile }, resolution: number) {
    const dir = hlsDirectory(this.config, video.uuid);
    const name = randomUUID();
    const videoFileName = hlsVideoFileName(name, resolution);
    const playlistFileName = hlsPlaylistFileName(name, resolution);
    const playlistText = await readPlaylistUpload(files.resolutionPlaylistFile.path);
    const rewritten = rewriteMediaPlaylist(playlistText, files.videoFile.originalName, videoFileName);
    // Probe and segment hashes now, outside the video's lock, once per rendition.
    const [probe, segmentsSha256] = await Promise.all([
      probeRendition(files.videoFile.path),
      hashRanges(files.videoFile.path, byteRanges(rewritten)),
    ]);
    if (!probe.video && resolution > 0) throw new Error('The uploaded rendition has no video stream');

    await mkdir(dir, { recursive: true });
    const written = [join(dir, videoFileName), join(dir, playlistFileName)];
    try {
      await moveFile(files.videoFile.path, written[0]);
      await writeFileAtomic(written[1], rewritten);
      const size = (await stat(written[0])).size;
      return await this.withVideoLock(video.id, async (transaction) => {
        const playlist = await this.findOrCreatePlaylist(video, transaction);
        const replaced = await VideoFileModel.findAll({ where: { videoStreamingPlaylistId: playlist.id, resolution }, transaction });
        await VideoFileModel.create(
          {
            videoStreamingPlaylistId: playlist.id,
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
          { transaction },
        );
        for (const old of replaced) await old.destroy({ transaction });
        await this.rewriteIndex(video, playlist, transaction);
        // Files of a replaced rendition go once the new index no longer names them.
        for (const old of replaced) {
          await rm(join(dir, old.filename), { force: true });
          await rm(join(dir, hlsPlaylistFileNameFor(old.filename)), { force: true });
        }
        return { videoFileName, playlistFileName };
      });
    } catch (err) {
      await Promise.all(written.map((p) => rm(p, { force: true })));
      throw err;
    }
  }

  private async findOrCreatePlaylist(video: VideoModel, transaction: Transaction): Promise<VideoStreamingPlaylistModel> {
    const existing = await VideoStreamingPlaylistModel.findOne({ where: { videoId: video.id, type: VideoStreamingPlaylistType.HLS }, transaction });
    if (existing) return existing;
    const name = randomUUID();
    return VideoStreamingPlaylistModel.create(
      {
        videoId: video.id,
        type: VideoStreamingPlaylistType.HLS,
        playlistFilename: `${name}-master.m3u8`,
        segmentsSha256Filename: `${name}-segments-sha256.json`,
      },
      { transaction },
    );
  }

  /**
   * Master playlist and segments-sha256.json from the playlist's current files. The hash file is
   * keyed like PeerTube's: `{ "<fmp4 name>": { "<first>-<last byte>": "<sha256 hex>" } }`, one entry
   * per `#EXT-X-BYTERANGE` segment: what the web player checks peer segments against.
   */
  async rewriteIndex(video: VideoModel, playlist: VideoStreamingPlaylistModel, transaction?: Transaction): Promise<void> {
    const dir = hlsDirectory(this.config, video.uuid);
    const files = await VideoFileModel.findAll({ where: { videoStreamingPlaylistId: playlist.id }, order: [['resolution', 'DESC']], transaction });
    const variants: MasterVariant[] = [];
    const hashes: Record<string, Record<string, string>> = {};
    for (const file of files) {
      const mediaPlaylist = hlsPlaylistFileNameFor(file.filename);
      const path = join(dir, file.filename);
      let { codecs, duration, segmentsSha256 } = file;
      if (!codecs || !segmentsSha256) {
        // A row from before these columns: compute once, keep for the next rewrite.
        const content = await readFile(join(dir, mediaPlaylist), 'utf8').catch(() => null);
        if (content === null) {
          logger.warn({ video: video.uuid, file: file.filename }, 'HLS rendition without its playlist: left out of the master');
          continue;
        }
        const probe = await probeRendition(path);
        segmentsSha256 = await hashRanges(path, byteRanges(content));
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
    await writeFileAtomic(join(dir, playlist.segmentsSha256Filename), JSON.stringify(hashes));
    const master = buildMasterPlaylist(variants);
    await writeFileAtomic(join(dir, playlist.playlistFilename), master);
    // The swarms viewers will announce for this master: the tracker admits exactly these.
    const infoHashes = swarmInfoHashesFromMaster(video.uuid, master);
    await playlist.update({ p2pMediaLoaderInfoHashes: infoHashes, updatedAt: new Date() }, { transaction });
    this.events.emit('video.swarms-changed', { uuid: video.uuid, infoHashes });
  }
}

async function readPlaylistUpload(path: string): Promise<string> {
  const { size } = await stat(path);
  if (size > 1024 * 1024) throw new Error('Resolution playlist is too large');
  return readFile(path, 'utf8');
}

async function hashRanges(path: string, ranges: { offset: number; length: number }[]): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const fd = await open(path, 'r');
  try {
    for (const r of ranges) {
      const buf = Buffer.alloc(r.length);
      const { bytesRead } = await fd.read(buf, 0, r.length, r.offset);
      if (bytesRead !== r.length) throw new Error(`Segment ${rangeKey(r)} lies outside ${path}`);
      out[rangeKey(r)] = sha256Hex(buf);
    }
  } finally {
    await fd.close();
  }
  return out;
}
