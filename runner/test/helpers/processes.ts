import { readdirSync, readFileSync } from 'node:fs';

/** Name, parent and niceness of a live process from /proc (Linux), or null once it is gone. */
export function procStat(pid: number): { comm: string; ppid: number; nice: number; state: string } | null {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return null;
  }
  // "pid (comm) state ppid ..."; comm may hold spaces, so split after its closing parenthesis.
  const close = stat.lastIndexOf(')');
  const fields = stat.slice(close + 2).split(' ');
  // A zombie has exited but was not reaped yet: it counts as gone for "is ffmpeg still running".
  if (fields[0] === 'Z') return null;
  return { comm: stat.slice(stat.indexOf('(') + 1, close), state: fields[0]!, ppid: Number(fields[1]), nice: Number(fields[16]) };
}

/** ffmpeg processes whose parent is this process (the in-process runner daemon's children). */
export function ffmpegChildren(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .filter((pid) => {
      const s = procStat(pid);
      return s !== null && s.ppid === process.pid && s.comm === 'ffmpeg';
    });
}
