/// <reference types="node" />
// TEMPORARY diagnostic (not committed): CPU of playing viewers, and start-up timelines.
import { readFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { User } from '@flotilla/shared';
import { makeClip, uploadVideo } from './clips';
import { writeResult } from './loopback-netns';
import { startStack, type Stack } from './stack';
import { sleep, until, Viewer } from './viewers';

function cpuTicks(match: (cmd: string) => boolean): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      if (!match(cmd)) continue;
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const type = /--type=([a-z-]+)/.exec(cmd)?.[1] ?? (cmd.includes('chromium') ? 'browser' : cmd.slice(0, 60));
      const util = /--utility-sub-type=([a-zA-Z.]+)/.exec(cmd)?.[1];
      const key = util ? `${type}:${util}` : type;
      out[key] = (out[key] ?? 0) + Number(f[11]) + Number(f[12]);
    } catch {}
  }
  return out;
}
function diff(a: Record<string, number>, b: Record<string, number>) {
  const o: Record<string, number> = {};
  for (const k of Object.keys(b)) o[k] = (b[k] - (a[k] ?? 0));
  return o;
}

async function main() {
  const dir = await mkdtemp(join(tmpdir(), 'diag-'));
  let stack: Stack | null = null;
  const res: any = { error: null, steady: [], timelines: [] };
  try {
    const clip = makeClip(dir, 'bench.mp4', { seconds: 60, size: '640x360', keyframeSeconds: 2 });
    stack = await startStack({ log: { level: 'warn' } });
    const admin = await stack.server.login();
    const channelId = (await admin.get<User>('/api/v1/users/me')).videoChannels[0].id;
    const { video } = await uploadVideo(admin, clip, { name: 'diag', channelId: String(channelId) });
    await until('renditions', async () => {
      const v = await admin.get<any>(`/api/v1/videos/${video.uuid}`);
      return v.state.id === 1 && v.streamingPlaylists[0]?.files.length === 2 ? v : null;
    }, 150_000, 1000);
    await sleep(3000);
    const url = `${stack.server.url}/w/${video.shortUUID}`;
    const n = Number(process.argv[2] ?? 3);
    const viewers: Viewer[] = [];
    for (let i = 0; i < n; i++) {
      const v = await Viewer.launch(`v${i + 1}`, stack.server.url);
      viewers.push(v);
      await v.watch(url);
      await sleep(6000);
      const a = cpuTicks((c) => c.includes('chromium'));
      const s0 = cpuTicks((c) => c.includes('server/dist/main.js') || c.includes('main.js'));
      await sleep(5000);
      const b = cpuTicks((c) => c.includes('chromium'));
      const s1 = cpuTicks((c) => c.includes('server/dist/main.js') || c.includes('main.js'));
      const d = diff(a, b);
      const tot = Object.values(d).reduce((x, y) => x + y, 0);
      res.steady.push({ viewers: i + 1, chromiumPctOfOneCore: tot / 5, byType: d, server: diff(s0, s1) });
      const t = await v.page.evaluate(() => {
        const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
        const rs = performance.getEntriesByType('resource').map((r: any) => ({ n: r.name.replace(location.origin, '').slice(0, 70), s: Math.round(r.startTime), e: Math.round(r.responseEnd), sz: r.transferSize }));
        return { nav: { dcl: Math.round(nav.domContentLoadedEventEnd), resp: Math.round(nav.responseEnd) }, rs, T: (window as any).__flotillaT };
      });
      res.timelines.push({ viewer: i + 1, ...t });
    }
    for (const v of viewers) await v.close();
  } catch (err) {
    res.error = (err as Error).stack ?? String(err);
  } finally {
    await stack?.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
    await writeResult(res);
  }
  process.exit(0);
}
await main();
