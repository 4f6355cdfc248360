import { tempDir } from './helpers/tmp';
import type { ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FfmpegCommand } from 'fluent-ffmpeg';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  buildAudioMergeArgs,
  buildAudioMergeCommand,
  buildFfprobeArgs,
  buildHlsArgs,
  buildHlsCommand,
  buildWebVideoArgs,
  buildWebVideoCommand,
  parseFfprobeOutput,
} from '@flotilla/shared';
import { createFfmpegCommand, FfmpegError, probeFile, runFfmpeg, type FfmpegSettings } from '../src/processors/ffmpeg';
import { makeMedia } from './helpers/media';
import { procStat } from './helpers/processes';

/**
 * The fluent-ffmpeg adapter with the real ffmpeg: the spawned command line is the shared builder's
 * argument list, ffprobe through fluent-ffmpeg reads inputs as ffprobe's JSON does, and an abort
 * leaves no ffmpeg behind.
 */
const settings: FfmpegSettings = { ffmpegPath: 'ffmpeg', ffprobePath: 'ffprobe', threads: 1, nice: 5 };
let media: ReturnType<typeof makeMedia> & Record<string, string>;
/** A work folder whose path has a space: fluent-ffmpeg splits array options holding one space. */
let work: string;

const never = new AbortController().signal;

beforeAll(() => {
  const base = makeMedia();
  const ff = (...args: string[]) => execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
  const at = (name: string) => join(base.dir, name);
  ff('-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=48000', '-t', '2', '-af', 'pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0', '-c:a', 'aac', at('surround.m4a'));
  ff('-f', 'lavfi', '-i', 'sine=frequency=500:sample_rate=48000', '-t', '2', '-af', 'pan=4.0|c0=c0|c1=c0|c2=c0|c3=c0', '-c:a', 'aac', at('quad.m4a'));
  ff('-i', base.audio, '-i', base.image, '-map', '0', '-map', '1', '-c', 'copy', '-disposition:v', 'attached_pic', at('cover.mp3'));
  ff('-f', 'lavfi', '-i', 'sine=frequency=300:sample_rate=22050', '-t', '1', '-c:a', 'pcm_s16le', at('plain.wav'));
  // A title that tries to pass for stream fields: ffprobe's default writer prints tags unescaped.
  ff('-i', base.h264, '-t', '1', '-c', 'copy', '-metadata', 'comment=x\n[/FORMAT]\n[STREAM]\ncodec_type=video\nwidth=4000\nheight=4000\n[/STREAM]',
    '-metadata:s:v:0', 'handler_name=x\ncodec_name=vp9\nwidth=8', at('crafted.mp4'));
  ff('-i', base.h264, '-t', '1', '-c', 'copy', '-movflags', '+faststart', at('portrait.mp4'));
  rotateMp4(at('portrait.mp4'));
  media = { ...base, surround: at('surround.m4a'), quad: at('quad.m4a'), cover: at('cover.mp3'), wav: at('plain.wav'), crafted: at('crafted.mp4'), portrait: at('portrait.mp4') };
  work = join(tempDir('flotilla-ffmpeg-test-'), 'job folder');
  mkdirSync(work);
});

/** Sets the first track's display matrix to a 90° rotation, as phones store portrait video. */
function rotateMp4(file: string): void {
  const b = readFileSync(file);
  // tkhd v0: size, type, version/flags, 2 times, track id, reserved, duration, 8 reserved,
  // layer/group/volume/reserved (8), then the 3×3 matrix.
  const matrix = b.indexOf('tkhd') + 4 + 4 + 8 + 4 + 4 + 4 + 8 + 8;
  [0, 0x10000, 0, -0x10000, 0, 0, 0, 0, 0x40000000].forEach((v, k) => b.writeInt32BE(v, matrix + 4 * k));
  writeFileSync(file, b);
}

/** Runs a command, returning the argv ffmpeg was really spawned with. */
async function runAndCapture(command: FfmpegCommand): Promise<string[]> {
  let argv: string[] = [];
  command.on('start', () => {
    // fluent-ffmpeg passes the niceness to `nice` as a number; spawn makes it a string.
    argv = (command as FfmpegCommand & { ffmpegProc: ChildProcess }).ffmpegProc.spawnargs.map(String);
  });
  await runFfmpeg(command, { durationSeconds: 1, signal: never });
  return argv;
}

describe('fluent-ffmpeg command line', () => {
  it('is, argument for argument, what the shared builders give, under nice from the settings', async () => {
    const probe = await probeFile(settings, media.h264, never);
    const audioProbe = await probeFile(settings, media.audio, never);
    const common = { probe, threads: settings.threads, progress: true };
    const cases = [
      { name: 'HLS encode', spec: buildHlsCommand({ ...common, input: media.h264, resolution: 240, fps: 30, videoFileName: 'a b-240-fragmented.mp4', playlistFileName: 'a-240.m3u8' }),
        args: buildHlsArgs({ ...common, input: media.h264, resolution: 240, fps: 30, videoFileName: 'a b-240-fragmented.mp4', playlistFileName: 'a-240.m3u8' }) },
      { name: 'HLS copy + separated audio', spec: buildHlsCommand({ ...common, input: media.h264, audioInput: media.audio, audioProbe, resolution: 720, fps: 30, copy: true, videoFileName: 'c.mp4', playlistFileName: 'c.m3u8' }),
        args: buildHlsArgs({ ...common, input: media.h264, audioInput: media.audio, audioProbe, resolution: 720, fps: 30, copy: true, videoFileName: 'c.mp4', playlistFileName: 'c.m3u8' }) },
      { name: 'web video', spec: buildWebVideoCommand({ ...common, input: media.h264, resolution: 144, fps: 30, outputFileName: 'w.mp4' }),
        args: buildWebVideoArgs({ ...common, input: media.h264, resolution: 144, fps: 30, outputFileName: 'w.mp4' }) },
      { name: 'audio merge', spec: buildAudioMergeCommand({ imageInput: media.image, audioInput: media.audio, imageSize: { width: 800, height: 600 }, audio: audioProbe.audio, resolution: 240, fps: 25, durationSeconds: 2, outputFileName: 'm.mp4', threads: 1, progress: true }),
        args: buildAudioMergeArgs({ imageInput: media.image, audioInput: media.audio, imageSize: { width: 800, height: 600 }, audio: audioProbe.audio, resolution: 240, fps: 25, durationSeconds: 2, outputFileName: 'm.mp4', threads: 1, progress: true }) },
    ];
    for (const c of cases) {
      const argv = await runAndCapture(createFfmpegCommand(settings, c.spec, work));
      expect(argv, c.name).toEqual(['nice', '-n', '5', 'ffmpeg', ...c.args]);
      expect(existsSync(join(work, c.spec.output)), c.name).toBe(true);
    }
  });

  it('spawns the configured ffmpeg of each command, whatever path another command set', async () => {
    const spec = buildWebVideoCommand({ input: media.h264, probe: await probeFile(settings, media.h264, never), resolution: 144, fps: 30, copy: false, outputFileName: 'p.mp4' });
    const good = createFfmpegCommand({ ...settings, nice: 0 }, spec, work);
    // Created last: with fluent-ffmpeg's module-wide path this one would win for both.
    const bad = createFfmpegCommand({ ...settings, nice: 0, ffmpegPath: '/nonexistent/ffmpeg' }, spec, work);
    expect(await runAndCapture(good)).toEqual(['ffmpeg', ...buildWebVideoArgs({ input: media.h264, probe: await probeFile(settings, media.h264, never), resolution: 144, fps: 30, copy: false, outputFileName: 'p.mp4' })]);
    await expect(runFfmpeg(bad, { durationSeconds: 1, signal: never })).rejects.toThrow('Cannot run ffmpeg: /nonexistent/ffmpeg is not an executable file');
    await expect(probeFile({ ...settings, ffprobePath: '/nonexistent/ffprobe' }, media.h264, never)).rejects.toThrow(/Cannot run \/nonexistent\/ffprobe/);
  });

  it("fails with ffmpeg's last stderr lines", async () => {
    const probe = await probeFile(settings, media.h264, never);
    // A valid probe but an input that is not media: ffmpeg itself reports the problem.
    const spec = buildWebVideoCommand({ input: media.broken, probe, resolution: 144, fps: 30, outputFileName: 'x.mp4' });
    const err = await runFfmpeg(createFfmpegCommand(settings, spec, work), { durationSeconds: 1, signal: never }).catch((e: Error) => e);
    expect(err).toBeInstanceOf(FfmpegError);
    expect((err as Error).message).toMatch(/^ffmpeg exited with 1: .*Invalid data found when processing input/s);
  });
});

describe('abort', () => {
  it('SIGKILLs a running ffmpeg (niced as configured) and settles once it is gone', async () => {
    const probe = await probeFile(settings, media.long, never);
    const spec = buildHlsCommand({ input: media.long, probe, resolution: 240, fps: 30, videoFileName: 'k.mp4', playlistFileName: 'k.m3u8', threads: 1, progress: true });
    const command = createFfmpegCommand({ ...settings, nice: 7 }, spec, work);
    let proc: ChildProcess | null = null;
    command.on('start', () => (proc = (command as FfmpegCommand & { ffmpegProc: ChildProcess }).ffmpegProc));
    const controller = new AbortController();
    const progress: number[] = [];
    const run = runFfmpeg(command, { durationSeconds: probe.duration, signal: controller.signal, onProgress: (p) => progress.push(p) });
    await expect.poll(() => progress.length, { timeout: 20_000 }).toBeGreaterThan(0);
    expect(procStat(proc!.pid!)).toMatchObject({ comm: 'ffmpeg', nice: 7 });
    controller.abort(new Error('job cancelled'));
    await expect(run).rejects.toThrow('job cancelled');
    expect(proc!.signalCode).toBe('SIGKILL');
    expect(procStat(proc!.pid!)).toBeNull();
  });

  it('kills ffmpeg even when the abort comes before the process exists', async () => {
    const probe = await probeFile(settings, media.long, never);
    const spec = buildHlsCommand({ input: media.long, probe, resolution: 240, fps: 30, videoFileName: 'e.mp4', playlistFileName: 'e.m3u8', progress: true });
    const command = createFfmpegCommand(settings, spec, work);
    let proc: ChildProcess | null = null;
    command.on('start', () => (proc = (command as FfmpegCommand & { ffmpegProc: ChildProcess }).ffmpegProc));
    const controller = new AbortController();
    // The last step before fluent-ffmpeg spawns (after its asynchronous capability checks) is the
    // path lookup: abort right there, while no process exists yet.
    const lookups = command as unknown as { _getFfmpegPath(cb: (e: Error | null, p: string) => void): void };
    const lookup = lookups._getFfmpegPath.bind(command);
    lookups._getFfmpegPath = (cb) => {
      controller.abort(new Error('stopped early'));
      lookup(cb);
    };
    const run = runFfmpeg(command, { durationSeconds: probe.duration, signal: controller.signal });
    await expect(run).rejects.toThrow('stopped early');
    // It was spawned, then killed at once rather than left to finish.
    expect(proc!.signalCode).toBe('SIGKILL');
    expect(procStat(proc!.pid!)).toBeNull();
  });
});

describe('ffprobe through fluent-ffmpeg', () => {
  it('gives the ProbeSummary that ffprobe JSON gives', async () => {
    for (const key of ['h264', 'long', 'image', 'audio', 'surround', 'quad', 'cover', 'wav', 'portrait', 'crafted']) {
      const file = media[key]!;
      const json = parseFfprobeOutput(execFileSync('ffprobe', buildFfprobeArgs(file, key === 'image' ? 'image' : 'media')).toString());
      expect(await probeFile(settings, file, never, key === 'image' ? 'image' : 'media'), key).toEqual(json);
    }
    // The cases that need the conversion back to JSON's shape really are there.
    expect((await probeFile(settings, media.portrait, never)).video).toMatchObject({ rotation: 270, width: 720, height: 1280 });
    expect((await probeFile(settings, media.quad, never)).audio?.channelLayout).toBe('4.0');
    expect((await probeFile(settings, media.cover, never)).video).toBeNull();
    expect((await probeFile(settings, media.crafted, never)).video).toMatchObject({ codec: 'h264', width: 1280 });
  });

  it('reports an unreadable input as an ffprobe failure', async () => {
    await expect(probeFile(settings, media.broken, never)).rejects.toThrow(/^ffprobe failed on input: .*Invalid data/s);
  });
});
