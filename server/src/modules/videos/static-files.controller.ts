import { Controller, Get, Param, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode } from '@flotilla/shared';
import { notFound, forbidden } from '../../common/app-error';
import { canManageVideo } from './video-access';
import { needsFileToken, MediaFilesRepository } from '../media-files';
import { FileCreds } from './file-credentials.decorator';
import { IMMUTABLE, StaticFilesService, type FileCredentials } from './static-files.service';

/** Playlists and segment hashes change while renditions arrive (and constantly for lives). */
const SHORT = 'public, max-age=2';
const LAZY = 'public, max-age=172800';
const TORRENT = 'public, max-age=7200';

function hlsCache(name: string, isPrivate: boolean): string {
  const mutable = name.endsWith('.m3u8') || name.endsWith('.json');
  if (isPrivate) return mutable ? 'private, no-cache' : 'private, max-age=31536000, immutable';
  return mutable ? SHORT : IMMUTABLE;
}

@Controller()
export class StaticFilesController {
  constructor(
    private readonly files: StaticFilesService,
    private readonly mediaFiles: MediaFilesRepository,
  ) {}

  private async webVideoFile(name: string) {
    this.files.webVideoKey(name); // 400 for a name that is not ours
    const file = await this.mediaFiles.webFileByName(name);
    if (!file?.videoId) throw notFound('File not found');
    return { file, video: await this.files.loadVideoById(file.videoId) };
  }

  @Get('static/web-videos/private/:name')
  async privateWebVideo(
    @Param('name') name: string,
    @FileCreds() creds: FileCredentials,
    @Res() res: Response,
  ) {
    const { video } = await this.webVideoFile(name);
    await this.files.assertPrivateFile(video, creds);
    await this.files.send(res, this.files.webVideoKey(name), 'private, max-age=31536000, immutable');
  }

  @Get('static/web-videos/:name')
  async webVideo(
    @Param('name') name: string,
    @FileCreds() creds: FileCredentials,
    @Res() res: Response,
  ) {
    const { video } = await this.webVideoFile(name);
    const hidden = await this.files.assertPublicFile(video.uuid, creds);
    await this.files.send(res, this.files.webVideoKey(name), hidden ? 'private, max-age=0' : IMMUTABLE);
  }

  @Get('static/streaming-playlists/hls/private/:uuid/:name')
  async privateHls(
    @Param('uuid') uuid: string,
    @Param('name') name: string,
    @FileCreds() creds: FileCredentials,
    @Res() res: Response,
  ) {
    const key = this.files.hlsKey(uuid, name);
    const video = await this.files.loadVideoByUuid(uuid.toLowerCase());
    await this.files.assertPrivateFile(video, creds);
    await this.files.send(res, key, hlsCache(name, true));
  }

  @Get('static/streaming-playlists/hls/:uuid/:name')
  async hls(
    @Param('uuid') uuid: string,
    @Param('name') name: string,
    @FileCreds() creds: FileCredentials,
    @Res() res: Response,
  ) {
    const key = this.files.hlsKey(uuid, name);
    const hidden = await this.files.assertPublicFile(uuid.toLowerCase(), creds);
    await this.files.send(res, key, hlsCache(name, hidden));
  }

  @Get('lazy-static/thumbnails/:name')
  async thumbnail(@Param('name') name: string, @Res() res: Response) {
    await this.files.send(res, this.files.safeKey('thumbnails', name), LAZY);
  }

  @Get('lazy-static/previews/:name')
  async preview(@Param('name') name: string, @Res() res: Response) {
    await this.files.send(res, this.files.safeKey('previews', name), LAZY);
  }

  private async torrent(name: string, creds: FileCredentials) {
    const key = this.files.safeKey('torrents', name);
    const videoId = await this.mediaFiles.videoIdOfTorrent(name);
    if (!videoId) throw notFound('File not found');
    const video = await this.files.loadVideoById(videoId);
    if (needsFileToken(video.privacy)) await this.files.assertPrivateFile(video, creds);
    else await this.files.assertPublicFile(video.uuid, creds);
    return key;
  }

  @Get('lazy-static/torrents/:name')
  async lazyTorrent(
    @Param('name') name: string,
    @FileCreds() creds: FileCredentials,
    @Res() res: Response,
  ) {
    await this.files.send(res, await this.torrent(name, creds), TORRENT);
  }

  @Get('download/torrents/:name')
  async downloadTorrent(
    @Param('name') name: string,
    @FileCreds() creds: FileCredentials,
    @Res() res: Response,
  ) {
    await this.files.send(res, await this.torrent(name, creds), TORRENT, { download: name });
  }

  /** `/download/videos/<uuid>-<resolution>.<ext>`: the web video file as an attachment named after the video. */
  @Get('download/videos/:name')
  async downloadVideo(
    @Param('name') name: string,
    @FileCreds() creds: FileCredentials,
    @Res() res: Response,
  ) {
    const m = /^([0-9a-f-]{36})-(\d{1,5})(\.[a-z0-9]{1,8})$/i.exec(name);
    if (!m) throw notFound('File not found');
    const video = await this.files.loadVideoByUuid(this.files.assertUuid(m[1]));
    const file = await this.mediaFiles.webFileByResolution(video.id, Number(m[2]), m[3].toLowerCase());
    if (!file) throw notFound('File not found');
    await this.checkDownload(video, creds);
    const label = video.name.replace(/[^\p{L}\p{N} ._-]/gu, '_').slice(0, 100);
    await this.files.send(res, this.files.webVideoKey(file.filename), 'private, max-age=0', { download: `${label}-${file.resolution}p${file.extname}` });
  }

  /** `/download/streaming-playlists/hls/videos/<uuid>-<resolution>-fragmented.mp4`. */
  @Get('download/streaming-playlists/hls/videos/:name')
  async downloadHls(
    @Param('name') name: string,
    @FileCreds() creds: FileCredentials,
    @Res() res: Response,
  ) {
    const m = /^([0-9a-f-]{36})-(\d{1,5})-fragmented(\.mp4)$/i.exec(name);
    if (!m) throw notFound('File not found');
    const video = await this.files.loadVideoByUuid(this.files.assertUuid(m[1]));
    const file = await this.mediaFiles.renditionByResolution(video.id, Number(m[2]));
    if (!file) throw notFound('File not found');
    await this.checkDownload(video, creds);
    const label = video.name.replace(/[^\p{L}\p{N} ._-]/gu, '_').slice(0, 100);
    await this.files.send(res, this.files.hlsKey(video.uuid, file.filename), 'private, max-age=0', { download: `${label}-${file.resolution}p.mp4` });
  }

  /** Downloads follow the video's visibility; owners and moderators may download even when it is disabled. */
  private async checkDownload(video: Awaited<ReturnType<StaticFilesService['loadVideoByUuid']>>, creds: FileCredentials) {
    if (needsFileToken(video.privacy)) await this.files.assertPrivateFile(video, creds);
    else await this.files.assertPublicFile(video.uuid, creds);
    if (!video.downloadEnabled) {
      const user = await this.files.userFromCredentials(video, creds);
      if (!canManageVideo(video, user ?? undefined)) throw forbidden('Downloads are disabled for this video', ErrorCode.FORBIDDEN);
    }
  }
}
