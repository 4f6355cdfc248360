import { targetBitrate } from './bitrate';
import { inputGuardOptions, type InputKind } from './input-guard';
import type { ProbeSummary } from './probe';
import { TRANSCODING_PROFILE as P } from './profile';
import { resolutionOf } from './resolutions';

/**
 * ffmpeg command lines, built from probe data and the profile. Each builder gives the command in
 * parts (`FfmpegCommandSpec`: ffmpeg-wide flags, inputs with their options, output options, output),
 * which is how fluent-ffmpeg composes a command in the runner; `ffmpegArgs` flattens the same parts
 * into the argument list (without the `ffmpeg` program name) for direct use and for specs. File names
 * are used as given: the runner runs ffmpeg inside the job's work folder with relative names, so the
 * HLS playlist references the fMP4 by its bare name (no path to rewrite afterwards).
 */
export interface CommonArgsOptions {
  /** `-threads` for the encoders; 0 lets ffmpeg decide. */
  threads?: number;
  /** Add `-progress pipe:1 -nostats` so progress can be read from stdout. */
  progress?: boolean;
}

export interface FfmpegInput {
  path: string;
  /** Options applying to this input, placed before its `-i`. */
  options: string[];
}

export interface FfmpegCommandSpec {
  /** ffmpeg-wide flags (logging, progress): ffmpeg reads them anywhere on the line; they lead it. */
  globalOptions: string[];
  inputs: FfmpegInput[];
  outputOptions: string[];
  output: string;
}

/**
 * The argument list of a command. `-y` (always overwrite: outputs go to the job's own folder, and a
 * retried job rewrites them) sits right after the inputs because that is where fluent-ffmpeg puts it
 * for a file output: both forms are then the same line, argument for argument.
 */
export function ffmpegArgs(spec: FfmpegCommandSpec): string[] {
  return [
    ...spec.globalOptions,
    ...spec.inputs.flatMap((i) => [...i.options, '-i', i.path]),
    '-y',
    ...spec.outputOptions,
    spec.output,
  ];
}

function globalOptions(options: CommonArgsOptions): string[] {
  const args = ['-hide_banner', '-nostdin', '-loglevel', 'error'];
  // Progress as key=value lines on stdout, not the stats line on stderr: the stderr tail then holds
  // only errors (it goes to the server when a job fails).
  if (options.progress) args.push('-progress', 'pipe:1', '-nostats');
  return args;
}

function tail(options: CommonArgsOptions): string[] {
  // Metadata of the upload (GPS, device names) must not leak into published files.
  const args = ['-map_metadata', '-1', '-max_muxing_queue_size', '1024'];
  if (options.threads !== undefined) args.push('-threads', String(options.threads));
  return args;
}

/** Every input is user data: it carries the guard confining ffmpeg to that one file (see input-guard). */
const input = (path: string, options: string[] = [], kind: InputKind = 'media'): FfmpegInput => ({
  path,
  options: [...inputGuardOptions(kind), ...options],
});

/** `-vf scale` value bringing the input to the rung, or null when it already has that size. */
export function scaleFilter(input: { width: number; height: number }, resolution: number): string | null {
  if (resolutionOf(input.width, input.height) === resolution && input.width % 2 === 0 && input.height % 2 === 0) return null;
  // yuv420p needs even sizes: an odd origin resolution (e.g. 479) comes down by one pixel, and -2
  // keeps the aspect ratio with an even other side.
  const side = Math.max(2, resolution - (resolution % 2));
  return input.width < input.height ? `scale=w=${side}:h=-2` : `scale=w=-2:h=${side}`;
}

/** x264 settings of the profile for one rung. */
export function videoEncodeArgs(options: {
  resolution: number;
  fps: number;
  ratio: number;
  inputBitrate?: number | null;
  filter?: string | null;
}): string[] {
  const v = P.video;
  const maxrate = targetBitrate({ resolution: options.resolution, ratio: options.ratio, fps: options.fps, inputBitrate: options.inputBitrate ?? undefined });
  const args = ['-c:v', v.encoder, '-preset', v.preset, '-crf', String(v.crf)];
  args.push('-maxrate', String(maxrate), '-bufsize', String(maxrate * v.bufsizeFactor));
  args.push('-bf', String(v.bframes), '-b_strategy', String(v.bStrategy), '-pix_fmt', v.pixFmt);
  if (options.filter) args.push('-vf', options.filter);
  args.push('-r', String(options.fps));
  // Frame-count GOP as an upper bound, plus keyframes forced on the clock: see the profile notes.
  args.push('-g', String(Math.max(1, Math.round(options.fps * v.keyframeIntervalSeconds))));
  args.push('-force_key_frames', `expr:gte(t,n_forced*${v.keyframeIntervalSeconds})`);
  return args;
}

/** AAC stereo of the profile, or `-c:a copy` when the input audio is already fine for browsers. */
export function audioEncodeArgs(audio: ProbeSummary['audio'], allowCopy = true): string[] {
  if (allowCopy && audio && canCopyAudio(audio)) return ['-c:a', 'copy'];
  return ['-c:a', P.audio.encoder, '-b:a', String(P.audio.bitrate), '-ac', String(P.audio.channels)];
}

/** AAC with at most 2 channels plays everywhere; anything else is re-encoded. */
export function canCopyAudio(audio: NonNullable<ProbeSummary['audio']>): boolean {
  return audio.codec === 'aac' && audio.channels !== null && audio.channels <= 2;
}

interface MediaArgsOptions extends CommonArgsOptions {
  input: string;
  /** A separate audio file to use instead of the input's own audio. */
  audioInput?: string | null;
  probe: ProbeSummary;
  /** Probe of `audioInput` when given. */
  audioProbe?: ProbeSummary | null;
  resolution: number;
  fps: number;
  /** Remux instead of encoding (see `decideStreamCopy`). */
  copy?: boolean;
  /** Leave the audio out (HLS with separated audio renditions). */
  noAudio?: boolean;
}

/** Inputs, stream maps and codec options shared by the HLS and web-video builders. */
function mediaParts(o: MediaArgsOptions): { inputs: FfmpegInput[]; outputOptions: string[] } {
  const audio = o.audioInput ? (o.audioProbe?.audio ?? null) : o.probe.audio;
  const withVideo = o.resolution > 0 && o.probe.video !== null;
  const withAudio = !o.noAudio && audio !== null;
  if (!withVideo && !withAudio) throw new Error('Nothing to transcode: no video wanted and no audio stream');

  // Open only the inputs that feed the output (an audio-only rung from separated audio skips the video).
  const inputs: FfmpegInput[] = [];
  if (withVideo || !o.audioInput) inputs.push(input(o.input));
  if (withAudio && o.audioInput) inputs.push(input(o.audioInput));
  const args: string[] = [];
  if (withVideo) args.push('-map', '0:v:0');
  if (withAudio) args.push('-map', o.audioInput && withVideo ? '1:a:0' : '0:a:0');

  if (o.copy && withVideo) {
    args.push('-c:v', 'copy');
  } else if (withVideo) {
    const v = o.probe.video!;
    args.push(...videoEncodeArgs({
      resolution: o.resolution,
      fps: o.fps,
      ratio: v.width / v.height,
      inputBitrate: v.bitrate ?? o.probe.bitrate,
      filter: scaleFilter(v, o.resolution),
    }));
  }
  if (withAudio) args.push(...audioEncodeArgs(audio, true));
  return { inputs, outputOptions: args };
}

type HlsOptions = MediaArgsOptions & { playlistFileName: string; videoFileName: string };

/**
 * One HLS rung: a single fragmented-MP4 file (`videoFileName`) with byte-range segments of 4 s,
 * described by the VOD media playlist `playlistFileName`.
 */
export function buildHlsCommand(o: HlsOptions): FfmpegCommandSpec {
  const media = mediaParts(o);
  return {
    globalOptions: globalOptions(o),
    inputs: media.inputs,
    outputOptions: [
      ...media.outputOptions,
      ...tail(o),
      '-f', 'hls',
      '-hls_time', String(P.hls.segmentSeconds),
      '-hls_list_size', '0',
      '-hls_playlist_type', 'vod',
      '-hls_segment_type', P.hls.segmentType,
      '-hls_flags', 'single_file',
      '-hls_segment_filename', o.videoFileName,
    ],
    output: o.playlistFileName,
  };
}

export function buildHlsArgs(o: HlsOptions): string[] {
  return ffmpegArgs(buildHlsCommand(o));
}

type WebVideoOptions = MediaArgsOptions & { outputFileName: string };

/** A progressive MP4 ("web video") with the index at the front so playback starts before the end. */
export function buildWebVideoCommand(o: WebVideoOptions): FfmpegCommandSpec {
  const media = mediaParts(o);
  return {
    globalOptions: globalOptions(o),
    inputs: media.inputs,
    outputOptions: [...media.outputOptions, ...tail(o), '-movflags', '+faststart', '-f', 'mp4'],
    output: o.outputFileName,
  };
}

export function buildWebVideoArgs(o: WebVideoOptions): string[] {
  return ffmpegArgs(buildWebVideoCommand(o));
}

type AudioMergeOptions = CommonArgsOptions & {
  imageInput: string;
  audioInput: string;
  /** Size of the image when known, to scale it to the rung; else it is only made even. */
  imageSize?: { width: number; height: number } | null;
  audio: ProbeSummary['audio'];
  resolution: number;
  fps: number;
  /** Length of the audio: bounds the output exactly (`-shortest` alone overshoots by a GOP or so). */
  durationSeconds?: number;
  outputFileName: string;
};

/** A video from an audio file and a still image, looped for the length of the audio. */
export function buildAudioMergeCommand(o: AudioMergeOptions): FfmpegCommandSpec {
  const filter = o.imageSize
    ? (scaleFilter(o.imageSize, o.resolution) ?? 'null')
    // Avoids "height not divisible by 2" when the image size is unknown.
    : 'scale=trunc(iw/2)*2:trunc(ih/2)*2';
  const ratio = o.imageSize ? o.imageSize.width / o.imageSize.height : 16 / 9;
  return {
    globalOptions: globalOptions(o),
    inputs: [
      // The image is read at the output rate so no frames are made only to be dropped.
      input(o.imageInput, ['-loop', '1', '-framerate', String(o.fps)], 'image'),
      input(o.audioInput),
    ],
    outputOptions: [
      '-map', '0:v:0', '-map', '1:a:0',
      ...videoEncodeArgs({ resolution: o.resolution, fps: o.fps, ratio, filter }),
      '-tune', P.audioMerge.tune,
      ...audioEncodeArgs(o.audio, false),
      // Stop with the audio, not with the endless image.
      '-shortest',
      ...(o.durationSeconds && o.durationSeconds > 0 ? ['-t', o.durationSeconds.toFixed(3)] : []),
      ...tail(o),
      '-movflags', '+faststart', '-f', 'mp4',
    ],
    output: o.outputFileName,
  };
}

export function buildAudioMergeArgs(o: AudioMergeOptions): string[] {
  return ffmpegArgs(buildAudioMergeCommand(o));
}
