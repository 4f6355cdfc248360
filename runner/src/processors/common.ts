import type { FfmpegCommandSpec, RunnerJobType } from '@flotilla/shared';
import { createFfmpegCommand, runFfmpeg } from './ffmpeg';
import type { ProcessorContext } from './processor';

/** Downloads the video input (and the separated audio, if any) and probes both. */
export async function downloadAndProbe<T extends RunnerJobType>(ctx: ProcessorContext<T>, videoUrl: string, audioUrl?: string) {
  ctx.setPhase('downloading');
  const [videoPath, audioPath] = await Promise.all([
    ctx.download(videoUrl, 'input-video'),
    audioUrl ? ctx.download(audioUrl, 'input-audio') : Promise.resolve(null),
  ]);
  ctx.setPhase('probing');
  const [probe, audioProbe] = await Promise.all([ctx.probe(videoPath), audioPath ? ctx.probe(audioPath) : Promise.resolve(null)]);
  if (!probe.video && !probe.audio) throw new Error('Input file has neither a video nor an audio stream');
  return { videoPath, audioPath, probe, audioProbe };
}

/** Runs ffmpeg in the workspace's output folder, feeding the job's progress. */
export async function transcode<T extends RunnerJobType>(ctx: ProcessorContext<T>, spec: FfmpegCommandSpec, durationSeconds: number) {
  ctx.setPhase('transcoding');
  await runFfmpeg(createFfmpegCommand(ctx.ffmpeg, spec, ctx.workspace.outputDir), {
    durationSeconds,
    signal: ctx.signal,
    onProgress: (p) => ctx.setProgress(p),
    progressTimeoutMs: ctx.ffmpeg.progressTimeoutMs,
  });
  ctx.setProgress(100);
}
