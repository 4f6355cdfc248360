import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { appendFile, readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { swarmInfoHashesFromMaster, VideoStreamingPlaylistType, type ProbeSummary } from '@flotilla/shared';
import { EventBus } from '../../platform/events/event-bus.service';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { HlsStorageService } from './hls-storage.service';
import { MediaFilesRepository } from './media-files.repository';
import { WebVideoFilesService } from './web-video-files.service';
import { concatFragmentedToMp4, concatSegmentsToMp4, probeMedia } from './media-tools';
import { STORAGE_PROVIDER, type StorageKey, type StorageProvider } from './providers/storage-provider';
import { ensureStagingFolder, readStagedText, removeStaged } from './upload-staging';
import { VideoStreamingPlaylistModel } from './video-streaming-playlist.model';

/** PeerTube's names in a live's HLS folder. */
export const LIVE_MASTER_PLAYLIST = 'master.m3u8';
export const LIVE_SEGMENTS_SHA256 = 'segments-sha256.json';
const MAX_HASHES_BYTES = 4 * 1024 * 1024;

const liveKey = (videoUuid: string, file: string): StorageKey => ({ area: 'hls', name: `${videoUuid.toLowerCase()}/${file}` });

function sha256OfFile(path: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(path)
      .on('data', (d) => hash.update(d))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}

/**
 * A live's HLS folder (`streaming-playlists/hls/<uuid>/`): chunks and playlists as a runner sends
 * them, `segments-sha256.json` (`{ "<chunk>.ts": "<sha256 hex>" }`, PeerTube's live shape) rewritten
 * per chunk under the video's lock, and the replay's MP4 made from the kept chunks. Names are
 * checked by the caller (the live module only passes names it validated).
 */
@Injectable()
export class LiveHlsStorageService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
    private readonly hls: HlsStorageService,
    private readonly webFiles: WebVideoFilesService,
    private readonly repo: MediaFilesRepository,
    private readonly events: EventBus,
  ) {}

  /** A fresh folder and the streaming-playlist row pointing at `master.m3u8`. */
  async prepare(video: { id: number; uuid: string }): Promise<void> {
    await this.storage.removeFolder('hls', video.uuid.toLowerCase());
    await this.hls.withVideoLock(video.id, async (transaction) => {
      await VideoStreamingPlaylistModel.destroy({ where: { videoId: video.id }, transaction });
      await VideoStreamingPlaylistModel.create(
        { videoId: video.id, type: VideoStreamingPlaylistType.HLS, playlistFilename: LIVE_MASTER_PLAYLIST, segmentsSha256Filename: LIVE_SEGMENTS_SHA256, p2pMediaLoaderInfoHashes: [] },
        { transaction },
      );
    });
    await this.storage.writeObject(liveKey(video.uuid, LIVE_SEGMENTS_SHA256), '{}');
  }

  /** Stores a chunk (the staged file moves in) and records its hash. */
  /** Stores a runner's chunk with its hash; resolves to its size in bytes (a live's quota counts them). */
  async addChunk(video: { id: number; uuid: string }, name: string, stagedPath: string): Promise<number> {
    const [sha, { size }] = await Promise.all([sha256OfFile(stagedPath), stat(stagedPath)]);
    await this.storage.segmentWritten(stagedPath, liveKey(video.uuid, name));
    await this.updateHashes(video, (h) => {
      h[name] = sha;
    });
    return size;
  }

  /** A chunk made in this process (low-latency lives: the packager's segment), with its hash. */
  async addChunkBytes(video: { id: number; uuid: string }, name: string, data: Buffer): Promise<void> {
    const sha = createHash('sha256').update(data).digest('hex');
    await this.storage.writeObject(liveKey(video.uuid, name), data);
    await this.updateHashes(video, (h) => {
      h[name] = sha;
    });
  }

  /** A chunk left the live window: its hash goes; the file too unless the replay keeps it. */
  async removeChunk(video: { id: number; uuid: string }, name: string, keepFile: boolean): Promise<void> {
    await this.updateHashes(video, (h) => {
      delete h[name];
    });
    if (!keepFile) await this.storage.remove(liveKey(video.uuid, name));
  }

  async writePlaylist(video: { uuid: string }, name: string, content: string): Promise<void> {
    await this.storage.playlistWritten(liveKey(video.uuid, name), content);
  }

  /** Masters this process last wrote, by video: the swarms change only when the master does. */
  private readonly lastMaster = new Map<string, string>();

  /**
   * The live's master playlist; when it changed, the P2P swarms its viewers announce (one per
   * variant, as for VOD) are stored and the tracker told, so peers of a live find each other.
   */
  async writeMaster(video: { id: number; uuid: string }, content: string): Promise<void> {
    await this.storage.playlistWritten(liveKey(video.uuid, LIVE_MASTER_PLAYLIST), content);
    if (this.lastMaster.get(video.uuid) === content) return;
    this.lastMaster.set(video.uuid, content);
    const infoHashes = swarmInfoHashesFromMaster(video.uuid, content);
    await VideoStreamingPlaylistModel.update({ p2pMediaLoaderInfoHashes: infoHashes }, { where: { videoId: video.id } });
    this.events.emit('video.swarms-changed', { uuid: video.uuid, infoHashes });
  }

  /** A playlist a runner uploaded (staged), as text. */
  readStaged(path: string): Promise<string> {
    return readStagedText(path, 1024 * 1024, 'Playlist is too large');
  }

  readText(video: { uuid: string }, name: string, maxBytes = 1024 * 1024): Promise<string | null> {
    return this.storage.readText(liveKey(video.uuid, name), maxBytes);
  }

  /** Chunk names in the folder (`<index>-<seq>.ts`). */
  async chunks(video: { uuid: string }): Promise<string[]> {
    return (await this.fileNames(video)).filter((n) => /^[a-z0-9-]+\.ts$/.test(n));
  }

  /** Every file name in the live's folder (a low-latency live's replay picks its own from them). */
  async fileNames(video: { uuid: string }): Promise<string[]> {
    const root = join(this.config.paths.streamingPlaylists, 'hls', video.uuid.toLowerCase());
    return readdir(root).catch(() => [] as string[]);
  }

  /** Removes the live's files and its streaming-playlist row. */
  async removeLive(video: { id: number; uuid: string }): Promise<void> {
    this.lastMaster.delete(video.uuid);
    this.events.emit('video.swarms-changed', { uuid: video.uuid, infoHashes: [] });
    await VideoStreamingPlaylistModel.destroy({ where: { videoId: video.id } });
    await this.storage.removeFolder('hls', video.uuid.toLowerCase());
  }

  /**
   * The kept chunks of one rendition joined into a staged MP4 (with its probe), for the replay.
   * The caller stores it (or removes it with `discardStaged`).
   */
  async concatReplay(video: { uuid: string }, chunkNames: string[]): Promise<{ path: string; probe: ProbeSummary }> {
    const dir = await ensureStagingFolder(this.config, 'live-replays');
    const output = join(dir, `${randomUUID()}.mp4`);
    const paths = await Promise.all(chunkNames.map((n) => this.storage.withLocalFile(liveKey(video.uuid, n), async (p) => p)));
    try {
      await concatSegmentsToMp4(paths, output);
      return { path: output, probe: await probeMedia(output) };
    } catch (err) {
      await removeStaged([output]);
      throw err;
    }
  }

  /**
   * A low-latency live's kept fragmented MP4 joined into a staged MP4 (with its probe), for the
   * replay: each run (`init` then its `segments`, names in the live's folder) is laid end to end
   * into one staged fragmented file, and the runs are remuxed into one MP4.
   */
  async concatFragmentedReplay(video: { uuid: string }, runs: Array<{ init: string; segments: string[] }>): Promise<{ path: string; probe: ProbeSummary }> {
    const dir = await ensureStagingFolder(this.config, 'live-replays');
    const id = randomUUID();
    const output = join(dir, `${id}.mp4`);
    const list = join(dir, `${id}.txt`);
    const parts = runs.map((_, i) => join(dir, `${id}-${i}.m4s`));
    try {
      for (const [i, r] of runs.entries()) {
        for (const name of [r.init, ...r.segments]) {
          await this.storage.withLocalFile(liveKey(video.uuid, name), async (p) => appendFile(parts[i]!, await readFile(p)));
        }
      }
      await concatFragmentedToMp4(parts, list, output);
      return { path: output, probe: await probeMedia(output) };
    } catch (err) {
      await removeStaged([output]);
      throw err;
    } finally {
      await removeStaged([list, ...parts]);
    }
  }

  /**
   * The replay's MP4 (from `concatReplay`) becomes the video's web file with its source row: what
   * transcoding starts from, and what plays until the ladder is made.
   */
  async storeReplayFile(video: { id: number; uuid: string; name: string; privacy: number }, path: string, probe: ProbeSummary): Promise<void> {
    const made: StorageKey[] = [];
    const resolution = probe.video ? Math.min(probe.video.width, probe.video.height) : 0;
    try {
      const file = await this.webFiles.store(
        { localPath: path, ext: '.mp4', resolution, probe, fps: probe.video ? Math.round(probe.video.fps) : -1, videoName: video.name, privacy: video.privacy },
        made,
      );
      await this.repo.createWebFile(video.id, file);
      await this.repo.createSource(video.id, { inputFilename: `${video.uuid}-replay.mp4`, size: file.size, resolution, probe });
    } catch (err) {
      await Promise.all(made.map((k) => this.storage.remove(k)));
      await removeStaged([path]);
      throw err;
    }
  }

  discardStaged(path: string): Promise<void> {
    return removeStaged([path]);
  }

  private async updateHashes(video: { id: number; uuid: string }, change: (h: Record<string, string>) => void): Promise<void> {
    await this.hls.withVideoLock(video.id, async () => {
      const key = liveKey(video.uuid, LIVE_SEGMENTS_SHA256);
      const text = await this.storage.readText(key, MAX_HASHES_BYTES);
      let hashes: Record<string, string>;
      try {
        hashes = text ? (JSON.parse(text) as Record<string, string>) : {};
      } catch {
        hashes = {};
      }
      change(hashes);
      await this.storage.writeObject(key, JSON.stringify(hashes));
    });
  }
}
