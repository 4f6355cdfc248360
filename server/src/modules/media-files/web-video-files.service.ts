import { Inject, Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { VideoPrivacy, type ProbeSummary } from '@flotilla/shared';
import { CONFIG } from '../../common/tokens';
import type { AppConfig } from '../../config/config';
import { trackerUrls } from './file-paths';
import type { VideoFileValues } from './media-files.repository';
import { makeTorrent } from './media-tools';
import { STORAGE_PROVIDER, type StorageKey, type StorageProvider } from './providers/storage-provider';

export interface WebVideoInput {
  /** The file in the staging area; moved into storage. */
  localPath: string;
  /** With its dot, lower case (`.mp4`). */
  ext: string;
  resolution: number;
  probe: ProbeSummary;
  /** Stored as probed for a transcode, rounded to whole frames for an original upload (as PeerTube does). */
  fps: number;
  /** The video's name (the torrent's file name) and privacy (whether peers get a web seed). */
  videoName: string;
  privacy: number;
}

/**
 * Web video files (`web-videos/<uuid>-<res>.<ext>` with their torrent), the original upload and
 * runners' MP4s alike: one way to name, seed and store them.
 */
@Injectable()
export class WebVideoFilesService {
  constructor(
    @Inject(CONFIG) private readonly config: AppConfig,
    @Inject(STORAGE_PROVIDER) private readonly storage: StorageProvider,
  ) {}

  /**
   * Makes the torrent from the staged file, then moves file and torrent into storage. Every key
   * written is pushed to `made` before it is written, so a caller's cleanup removes all of them.
   */
  async store(input: WebVideoInput, made: StorageKey[]): Promise<VideoFileValues> {
    const { resolution, ext, probe } = input;
    const filename = `${randomUUID()}-${resolution}${ext}`;
    const torrentFilename = `${randomUUID()}-${resolution}.torrent`;
    const fileKey: StorageKey = { area: 'web-videos', name: filename };
    const torrentKey: StorageKey = { area: 'torrents', name: torrentFilename };
    // Private files are only served with a token: a web seed URL would not work for peers.
    const publicFile = input.privacy === VideoPrivacy.PUBLIC || input.privacy === VideoPrivacy.UNLISTED;
    const { torrent, infoHash } = await makeTorrent({
      file: input.localPath,
      name: `${input.videoName} ${resolution}p${ext}`.replace(/[/\\]/g, '_'),
      announce: trackerUrls(this.config),
      urlList: publicFile ? [this.storage.publicUrl(fileKey, { privacy: input.privacy })] : [],
    });
    made.push(fileKey);
    await this.storage.moveFileIn(input.localPath, fileKey);
    const size = (await this.storage.stat(fileKey))?.size ?? 0;
    made.push(torrentKey);
    await this.storage.writeObject(torrentKey, torrent);
    return {
      resolution,
      size,
      fps: input.fps,
      width: probe.video?.width ?? null,
      height: probe.video?.height ?? null,
      extname: ext,
      filename,
      infoHash,
      torrentFilename,
      hasAudio: !!probe.audio,
      hasVideo: !!probe.video,
    };
  }

  /**
   * The local path of a stored object, for the runner download route (which confines it to the
   * handler's input roots). Only meaningful for the local provider: with an object store the runner
   * jobs' input URLs would point at `publicUrl` instead, which needs a change to RunnerJobHandler.
   */
  localPathOf(key: StorageKey): Promise<string> {
    return this.storage.withLocalFile(key, async (path) => path);
  }

  /** The stored objects of a web video file row. */
  keysOf(file: { filename: string; torrentFilename: string | null }): StorageKey[] {
    const keys: StorageKey[] = [{ area: 'web-videos', name: file.filename }];
    if (file.torrentFilename) keys.push({ area: 'torrents', name: file.torrentFilename });
    return keys;
  }

  async remove(keys: StorageKey[]): Promise<void> {
    await Promise.all(keys.map((k) => this.storage.remove(k)));
  }
}
