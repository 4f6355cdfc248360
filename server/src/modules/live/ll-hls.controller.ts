import { Controller, Get, Param, Query, Res } from '@nestjs/common';
import type { Response } from 'express';
import { ErrorCode } from '@flotilla/shared';
import { AppError, badRequest, notFound } from '../../common/app-error';
import { FileCreds } from '../videos';
import { StaticFilesService, type FileCredentials } from '../videos/static-files.service';
import { LL_FOLDER, LL_OPTIONS, LL_PLAYLIST } from './ll-hls-session';
import { LlHlsSessionsService } from './ll-hls-sessions.service';

/** RFC 8216bis: a blocking request not answered within three target durations gets a 503. */
const BLOCK_TIMEOUT_MS = 3 * LL_OPTIONS.segmentTarget * 1000;
const NAME = /^(index\.m3u8|init(-\d{1,6})?\.mp4|seg-\d{1,9}(\.\d{1,4})?\.m4s)$/;
const INDEX = /^\d{1,9}$/;

/**
 * A low-latency live's media playlist, init segment and parts, served from the packager's memory
 * under the live's HLS folder URL (`…/hls/<uuid>/ll/…`, what its master names), with the same
 * access rules as the folder's files. The playlist answers blocking reloads (`_HLS_msn`,
 * `_HLS_part`): it waits until that part exists; a request more than two segments ahead, or with
 * values that are not numbers, is refused with a 400 (RFC 8216bis 6.2.5.2).
 */
@Controller('static/streaming-playlists/hls')
export class LlHlsController {
  constructor(
    private readonly files: StaticFilesService,
    private readonly sessions: LlHlsSessionsService,
  ) {}

  @Get(`:uuid/${LL_FOLDER}/:name`)
  async publicFile(@Param('uuid') uuid: string, @Param('name') name: string, @Query() query: Record<string, unknown>, @FileCreds() creds: FileCredentials, @Res() res: Response) {
    const hidden = await this.files.assertPublicFile(this.files.assertUuid(uuid), creds);
    await this.serve(uuid, name, query, hidden, res);
  }

  @Get(`private/:uuid/${LL_FOLDER}/:name`)
  async privateFile(@Param('uuid') uuid: string, @Param('name') name: string, @Query() query: Record<string, unknown>, @FileCreds() creds: FileCredentials, @Res() res: Response) {
    const video = await this.files.loadVideoByUuid(this.files.assertUuid(uuid));
    await this.files.assertPrivateFile(video, creds);
    await this.serve(uuid, name, query, true, res);
  }

  private async serve(uuid: string, name: string, query: Record<string, unknown>, isPrivate: boolean, res: Response): Promise<void> {
    if (!NAME.test(name)) throw notFound('File not found');
    const session = this.sessions.get(uuid);
    if (!session) throw notFound('This live is not on air in low-latency mode', ErrorCode.NOT_FOUND);
    const p = session.packager;
    if (name === LL_PLAYLIST) {
      const block = blockingRequest(query);
      if (block) {
        const check = p.checkBlocking(block.msn, block.part);
        if (check === 'too-far') throw badRequest(ErrorCode.INVALID_PARAMS, `_HLS_msn=${block.msn} is more than two segments past the live edge`);
        if (check === 'wait' && !(await p.waitFor(block.msn, block.part, BLOCK_TIMEOUT_MS))) {
          if (this.sessions.get(uuid) !== session) throw notFound('The live ended', ErrorCode.NOT_FOUND);
          throw new AppError(503, ErrorCode.LIVE_PART_NOT_READY, 'The requested part did not appear in time');
        }
      }
      res.set({ 'Content-Type': 'application/vnd.apple.mpegurl', 'Cache-Control': isPrivate ? 'private, no-cache' : 'no-cache' });
      res.send(p.playlist());
      return;
    }
    let data = name === session.initUri ? p.initSegment : p.resource(name);
    if (!data && name.startsWith('seg-')) {
      // The preload hint names the next part before it exists: its request waits for it (only the
      // next one: anything further is a 404 at once, as for an unknown file).
      const [msn, part] = name.slice(4, -4).split('.').map(Number) as [number, number | undefined];
      // When the segment closes on a keyframe instead, the hinted part never comes: 404 then.
      if (part !== undefined && isNextPart(p.edge, msn, part) && (await p.waitFor(msn, part, BLOCK_TIMEOUT_MS))) data = p.resource(name);
    }
    if (!data) throw notFound('File not found');
    // A part never changes once listed; the window is short, so caches need not keep it long.
    res.set({ 'Content-Type': 'video/mp4', 'Cache-Control': isPrivate ? 'private, max-age=60' : 'public, max-age=60' });
    res.send(data);
  }
}

function isNextPart(edge: { msn: number; parts: number; complete: boolean }, msn: number, part: number): boolean {
  return edge.complete ? msn === edge.msn + 1 && part === 0 : msn === edge.msn && part === edge.parts;
}

/** `_HLS_msn` (and `_HLS_part`) of a blocking playlist reload; 400 when malformed; null when absent. */
export function blockingRequest(query: Record<string, unknown>): { msn: number; part?: number } | null {
  const msn = query._HLS_msn;
  const part = query._HLS_part;
  if (msn === undefined) {
    if (part !== undefined) throw badRequest(ErrorCode.INVALID_PARAMS, '_HLS_part needs _HLS_msn');
    return null;
  }
  if (typeof msn !== 'string' || !INDEX.test(msn)) throw badRequest(ErrorCode.INVALID_PARAMS, '_HLS_msn must be a segment number');
  if (part !== undefined && (typeof part !== 'string' || !INDEX.test(part))) throw badRequest(ErrorCode.INVALID_PARAMS, '_HLS_part must be a part number');
  return { msn: Number(msn), ...(part !== undefined ? { part: Number(part) } : {}) };
}
