import { execFile } from 'node:child_process';
import { copyFile, rename, rm, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { buildFfprobeArgs, parseFfprobeOutput, type ProbeSummary } from '@flotilla/shared';

const execFileAsync = promisify(execFile);

export type RenditionProbe = ProbeSummary & { videoLevel: number | null };

/** ffprobe of a finished rendition, plus the H.264 level the master playlist's CODECS needs. */
export async function probeRendition(file: string): Promise<RenditionProbe> {
  const { stdout } = await execFileAsync('ffprobe', buildFfprobeArgs(file), { maxBuffer: 16 * 1024 * 1024, timeout: 60_000 });
  const raw = JSON.parse(stdout) as { streams?: { codec_type?: string; level?: number }[] };
  const level = raw.streams?.find((s) => s.codec_type === 'video')?.level;
  return { ...parseFfprobeOutput(stdout), videoLevel: typeof level === 'number' && level > 0 ? level : null };
}

/** rename(), or copy + unlink across file systems (tmp may be on another disk than storage). */
export async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** Readers never see half a file: write a sibling temp file, then rename over the target. */
export async function writeFileAtomic(path: string, content: string): Promise<void> {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  try {
    await writeFile(tmp, content);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
