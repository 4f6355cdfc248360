import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { VideoFileModel } from './video-file.model';
import { VideoStreamingPlaylistModel } from './video-streaming-playlist.model';

/** A file of a remote video: only its URL at the origin is kept (nothing is stored here). */
export interface RemoteFile {
  resolution: number;
  size: number;
  fps: number;
  width: number | null;
  height: number | null;
  fileUrl: string;
  hasAudio: boolean;
  hasVideo: boolean;
}

export interface RemotePlaylist {
  playlistUrl: string;
  segmentsSha256Url: string;
  infoHashes: string[];
  files: RemoteFile[];
}

const extOf = (url: string) => (/\.(mp4|webm|ogv|m4a|mp3)$/i.exec(new URL(url).pathname)?.[0] ?? '.mp4').toLowerCase();
const nameOf = (url: string) => new URL(url).pathname.split('/').pop() || 'remote';

/**
 * The file rows of remote videos (federation): web video files and HLS playlists pointing at the
 * origin's URLs. Replaced whole on each refresh of the video.
 */
@Injectable()
export class RemoteFilesService {
  async replace(videoId: number, webFiles: RemoteFile[], playlists: RemotePlaylist[]): Promise<void> {
    await VideoFileModel.destroy({ where: { videoId } });
    await VideoStreamingPlaylistModel.destroy({ where: { videoId } });
    const row = (f: RemoteFile) => ({
      resolution: f.resolution,
      size: f.size,
      fps: f.fps,
      width: f.width,
      height: f.height,
      extname: extOf(f.fileUrl),
      // Unique on the table: remote rows get a generated name (the URL is what is used).
      filename: `remote-${randomUUID()}${extOf(f.fileUrl)}`,
      fileUrl: f.fileUrl,
      hasAudio: f.hasAudio,
      hasVideo: f.hasVideo,
    });
    for (const f of webFiles) await VideoFileModel.create({ ...row(f), videoId });
    for (const p of playlists.slice(0, 1)) {
      const playlist = await VideoStreamingPlaylistModel.create({
        videoId,
        type: 1,
        playlistFilename: nameOf(p.playlistUrl),
        playlistUrl: p.playlistUrl,
        segmentsSha256Filename: nameOf(p.segmentsSha256Url),
        segmentsSha256Url: p.segmentsSha256Url,
        p2pMediaLoaderInfoHashes: p.infoHashes.slice(0, 20),
      });
      for (const f of p.files) await VideoFileModel.create({ ...row(f), videoStreamingPlaylistId: playlist.id });
    }
  }
}
