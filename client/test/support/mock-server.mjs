// A stand-in for the Flotilla server with fixture data, for screenshots and browser tests while the
// real server is being written: REST (PeerTube shapes), static HLS files with Range support, the
// resumable upload protocol and a WebSocket tracker at /tracker/socket.
// Usage: node test/support/mock-server.mjs [port]   (then FLOTILLA_BACKEND=http://127.0.0.1:<port> npx vite preview)
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import TrackerServer from 'bittorrent-tracker/server';
import { WebSocketServer } from 'ws';
import { buildFixture, FIXTURE_UUID } from './fixture.mjs';

export function startMockServer({ port = 9123, tamper = false, slowUploads = Number(process.env.SLOW_UPLOADS ?? 0) } = {}) {
  // Switchable at run time (GET /__mode?tamper=1&slowUploads=400) so one server serves every test.
  const mode = { tamper, slowUploads };
  const fx = buildFixture();
  const now = Date.now();
  const iso = (minAgo) => new Date(now - minAgo * 60_000).toISOString();
  const avatar = [];
  const channel = { id: 1, url: '', name: 'demo', host: `127.0.0.1:${port}`, displayName: 'Demo Studio', description: 'Test patterns, tones and other fine cinema.', support: null, isLocal: true, avatars: avatar, banners: [], followersCount: 1280, followingCount: 0, createdAt: iso(99999), updatedAt: iso(10), hostRedundancyAllowed: null };
  const account = { id: 1, url: '', name: 'root', host: channel.host, displayName: 'Root', description: null, avatars: avatar, followersCount: 3, followingCount: 0, createdAt: iso(99999), updatedAt: iso(10), userId: 1, hostRedundancyAllowed: null };
  const titles = ['Colour bars at golden hour', 'A 440 Hz tone, remastered', 'Testing the new studio lights', 'How peer-to-peer video works', 'Sunday timelapse', 'Building a runner farm', 'Weekly update #12', 'Field recording: harbour'];
  const mk = (i, extra = {}) => {
    const uuid = i === 0 ? FIXTURE_UUID : `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`;
    return {
      id: i + 1, uuid, shortUUID: i === 0 ? 'fixture1' : `short${i}`, name: titles[i % titles.length], isLive: false, isLocal: true,
      createdAt: iso(i * 700 + 5), publishedAt: iso(i * 700 + 5), updatedAt: iso(i * 700), originallyPublishedAt: null,
      category: { id: 15, label: 'Science & Technology' }, licence: { id: 1, label: 'Attribution' }, language: { id: 'en', label: 'English' },
      privacy: { id: 1, label: 'Public' }, state: { id: 1, label: 'Published' }, truncatedDescription: 'A test video.', duration: fx.seconds,
      aspectRatio: 1.778, thumbnailPath: '/lazy-static/thumbnails/thumb.jpg', previewPath: '/lazy-static/thumbnails/thumb.jpg', embedPath: `/videos/embed/${uuid}`,
      views: [12840, 331, 57, 9021, 4, 1200, 88, 15][i % 8], likes: 42 + i, dislikes: i % 3, nsfw: false, waitTranscoding: true, scheduledUpdate: null,
      account: { id: 1, name: 'root', displayName: 'Root', url: '', host: channel.host, avatars: [] },
      channel: { id: 1, name: 'demo', displayName: 'Demo Studio', url: '', host: channel.host, avatars: [] },
      ...extra,
    };
  };
  const videos = titles.map((_, i) => mk(i));
  const mine = [
    mk(8, { name: 'Upload in progress', state: { id: 2, label: 'To transcode' }, thumbnailPath: null }),
    mk(9, { name: 'Broken file', state: { id: 7, label: 'Transcoding failed' } }),
    mk(10, { name: 'Private notes', privacy: { id: 3, label: 'Private' } }),
    ...videos.slice(0, 3),
  ];
  const base = `http://127.0.0.1:${port}`;
  const hlsBase = `${base}/static/streaming-playlists/hls/${FIXTURE_UUID}`;
  const details = (v) => ({
    ...v, viewers: 0, description: 'A short test video generated with ffmpeg.\n\nTwo renditions (480p, 240p), fMP4 byte ranges, like PeerTube.', support: null,
    channel: { ...channel, ownerAccount: account }, account, tags: ['test', 'ffmpeg'], commentsPolicy: { id: 1, label: 'Enabled' }, downloadEnabled: true,
    inputFileUpdatedAt: null, trackerUrls: [`ws://127.0.0.1:${port}/tracker/socket`], files: [],
    streamingPlaylists: v.state.id === 1 ? [{ id: 1, type: 1, playlistUrl: `${hlsBase}/${FIXTURE_UUID}-master.m3u8`, segmentsSha256Url: `${hlsBase}/${FIXTURE_UUID}-segments-sha256.json`, files: [], redundancies: [] }] : [],
  });
  const user = { id: 1, username: 'root', email: 'root@example.test', emailVerified: true, role: { id: 0, label: 'Administrator' }, account, videoChannels: [channel], videoQuota: -1, videoQuotaDaily: -1, p2pEnabled: true, nsfwPolicy: 'display' };
  const config = {
    serverVersion: '7.0.0', instance: { name: 'Flotilla Demo', shortDescription: 'A federated video platform where viewers help deliver what they watch.' },
    signup: { allowed: true, allowedForCurrentIP: true, requiresEmailVerification: false }, tracker: { enabled: true },
    client: { videos: { resumableUpload: { maxChunkSize: 10 * 1024 * 1024 } } }, video: { file: { extensions: ['.mp4', '.webm', '.mkv', '.mov'] } },
    views: { videos: { watchingInterval: { anonymous: 5000, users: 5000 } } },
  };
  const uploads = new Map();
  const stats = { views: 0, rates: [] };

  const json = (res, status, body, headers = {}) => {
    res.writeHead(status, { 'content-type': status >= 400 ? 'application/problem+json' : 'application/json', ...headers });
    res.end(body === undefined ? '' : JSON.stringify(body));
  };
  const problem = (res, status, detail, code) => json(res, status, { type: 'about:blank', title: '', status, detail, error: detail, code });
  const authed = (req) => /^Bearer tok/.test(req.headers.authorization ?? '');
  const readBody = (req) => new Promise((r) => { const c = []; req.on('data', (d) => c.push(d)); req.on('end', () => r(Buffer.concat(c))); });

  function serveFile(req, res, file, type) {
    let size;
    try { size = statSync(file).size; } catch { return problem(res, 404, 'Not found'); }
    const range = /bytes=(\d+)-(\d*)/.exec(req.headers.range ?? '');
    const headers = { 'content-type': type, 'accept-ranges': 'bytes', 'access-control-allow-origin': '*' };
    if (range) {
      const start = Number(range[1]);
      const end = range[2] ? Number(range[2]) : size - 1;
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${size}`, 'content-length': end - start + 1 });
      createReadStream(file, { start, end }).pipe(res);
    } else {
      res.writeHead(200, { ...headers, 'content-length': size });
      createReadStream(file).pipe(res);
    }
  }

  const server = createServer(async (req, res) => {
    const url = new URL(req.url, base);
    const p = url.pathname;
    const m = (re) => re.exec(p);
    if (p.startsWith('/static/streaming-playlists/hls/')) {
      const name = p.split('/').pop();
      const type = name.endsWith('.m3u8') ? 'application/vnd.apple.mpegurl' : name.endsWith('.json') ? 'application/json' : 'video/mp4';
      if (mode.tamper && name.endsWith('-segments-sha256.json')) {
        // Wrong hashes everywhere: every segment from a peer must be refused and refetched over HTTP.
        const bad = JSON.parse(readFileSync(join(fx.dir, name), 'utf8'));
        for (const ranges of Object.values(bad)) for (const k of Object.keys(ranges)) ranges[k] = '0'.repeat(64);
        return json(res, 200, bad, { 'access-control-allow-origin': '*' });
      }
      return serveFile(req, res, join(fx.dir, name), type);
    }
    if (p.startsWith('/lazy-static/thumbnails/')) return serveFile(req, res, join(fx.dir, 'thumb.jpg'), 'image/jpeg');
    if (p === '/api/v1/config') return json(res, 200, config);
    if (p === '/__announced') return json(res, 200, [...announced]);
    if (p === '/__stats') return json(res, 200, stats);
    if (p === '/__mode') {
      if (url.searchParams.has('tamper')) mode.tamper = url.searchParams.get('tamper') === '1';
      if (url.searchParams.has('slowUploads')) mode.slowUploads = Number(url.searchParams.get('slowUploads'));
      return json(res, 200, mode);
    }
    if (p === '/api/v1/oauth-clients/local') return json(res, 200, { client_id: 'c'.repeat(32), client_secret: 's'.repeat(32) });
    if (p === '/api/v1/users/token') {
      const form = new URLSearchParams((await readBody(req)).toString());
      if (form.get('grant_type') === 'password' && form.get('password') !== 'password') return problem(res, 400, 'Invalid credentials', 'invalid_grant');
      if (form.get('grant_type') === 'refresh_token' && form.get('refresh_token') === 'dead') return problem(res, 400, 'Invalid refresh token', 'invalid_grant');
      return json(res, 200, { token_type: 'Bearer', access_token: `tok${Date.now()}`, refresh_token: 'ref', expires_in: 86400, refresh_token_expires_in: 1209600 });
    }
    if (p === '/api/v1/users/revoke-token') return json(res, 200, {});
    if (p === '/api/v1/users/me') return authed(req) ? json(res, 200, user) : problem(res, 401, 'Token is invalid', 'invalid_token');
    if (p === '/api/v1/users/me/videos') return json(res, 200, { total: mine.length, data: mine });
    if (m(/^\/api\/v1\/users\/me\/videos\/[^/]+\/rating$/)) return json(res, 200, { id: 1, rating: 'like' });
    if (p === '/api/v1/videos' || p === '/api/v1/search/videos' || m(/^\/api\/v1\/(video-channels|accounts)\/[^/]+\/videos$/)) {
      const q = url.searchParams.get('search')?.toLowerCase();
      const list = q ? videos.filter((v) => v.name.toLowerCase().includes(q)) : url.searchParams.get('sort') === '-trending' ? [...videos].sort((a, b) => b.views - a.views).slice(0, 4) : videos;
      return json(res, 200, { total: list.length, data: list.slice(0, Number(url.searchParams.get('count') ?? 15)) });
    }
    if (p === '/api/v1/videos/upload-resumable') {
      if (req.method === 'POST') {
        const id = `up${uploads.size + 1}`;
        uploads.set(id, { total: Number(req.headers['x-upload-content-length']), length: 0 });
        await readBody(req);
        return json(res, 201, undefined, { location: `/api/v1/videos/upload-resumable?upload_id=${id}` });
      }
      const up = uploads.get(url.searchParams.get('upload_id'));
      if (!up) return problem(res, 404, 'Unknown upload');
      const body = await readBody(req);
      if (req.method === 'DELETE') return json(res, 204);
      if (mode.slowUploads) await new Promise((r) => setTimeout(r, mode.slowUploads));
      up.length += body.length;
      if (up.length >= up.total) return json(res, 200, { video: { id: 9, uuid: mine[0].uuid, shortUUID: mine[0].shortUUID } });
      return json(res, 308, undefined, up.length ? { range: `bytes=0-${up.length - 1}` } : {});
    }
    let r;
    if ((r = m(/^\/api\/v1\/videos\/([^/]+)\/views$/))) { stats.views++; return json(res, 204); }
    if ((r = m(/^\/api\/v1\/videos\/([^/]+)\/rate$/))) { stats.rates.push(JSON.parse((await readBody(req)).toString())); return json(res, 204); }
    if ((r = m(/^\/api\/v1\/videos\/(categories|licences|languages)$/))) return json(res, 200, {});
    if ((r = m(/^\/api\/v1\/videos\/([^/]+)$/))) {
      const v = [...videos, ...mine].find((x) => [String(x.id), x.uuid, x.shortUUID].includes(r[1]));
      if (!v) return problem(res, 404, 'Video not found');
      if (v.privacy.id === 3 && !authed(req)) return problem(res, 403, 'Cannot get this private video');
      if (req.method === 'PUT' || req.method === 'DELETE') return json(res, 204);
      return json(res, 200, details(v));
    }
    if ((r = m(/^\/api\/v1\/video-channels\/([^/]+)$/))) return r[1] === 'demo' ? json(res, 200, { ...channel, ownerAccount: account }) : problem(res, 404, 'Channel not found');
    if ((r = m(/^\/api\/v1\/accounts\/([^/]+)$/))) return r[1] === 'root' ? json(res, 200, account) : problem(res, 404, 'Account not found');
    if (m(/^\/api\/v1\/accounts\/[^/]+\/video-channels$/)) return json(res, 200, { total: 1, data: [channel] });
    if (p === '/api/v1/runners/registration-tokens') return json(res, 200, { total: 1, data: [{ id: 1, registrationToken: 'ptrrt-4f1c9e5a-0d2b-4a8e-b6f3-7c1d2e3f4a5b', createdAt: iso(3000), updatedAt: iso(3000), registeredRunnersCount: 2 }] });
    if (p === '/api/v1/runners') return json(res, 200, { total: 2, data: [{ id: 1, name: 'gpu-box', description: 'RTX runner in the basement', ip: '10.0.0.12', createdAt: iso(3000), updatedAt: iso(1), lastContact: iso(0.5) }, { id: 2, name: 'laptop', description: null, ip: '10.0.0.40', createdAt: iso(2000), updatedAt: iso(600), lastContact: iso(600) }] });
    if (p === '/api/v1/runners/jobs') return json(res, 200, { total: 3, data: [
      { uuid: 'a1', type: 'vod-hls-transcoding', state: { id: 2, label: 'Processing' }, payload: {}, privatePayload: { videoUUID: mine[0].uuid }, failures: 0, error: null, progress: 64, priority: 1, createdAt: iso(3), updatedAt: iso(0.2), startedAt: iso(2), finishedAt: null, runner: { id: 1, name: 'gpu-box', description: null } },
      { uuid: 'a2', type: 'vod-hls-transcoding', state: { id: 1, label: 'Pending' }, payload: {}, privatePayload: { videoUUID: mine[0].uuid }, failures: 0, error: null, progress: null, priority: 2, createdAt: iso(3), updatedAt: iso(3), startedAt: null, finishedAt: null, runner: null },
      { uuid: 'a3', type: 'vod-web-video-transcoding', state: { id: 4, label: 'Errored' }, payload: {}, privatePayload: { videoUUID: mine[1].uuid }, failures: 5, error: 'ffmpeg exited with code 1: Invalid data found when processing input', progress: null, priority: 1, createdAt: iso(90), updatedAt: iso(80), startedAt: iso(89), finishedAt: iso(80), runner: { id: 2, name: 'laptop', description: null } },
    ] });
    if (m(/^\/api\/v1\/runners/)) return json(res, 204);
    if (p.startsWith('/api/')) return problem(res, 404, 'Not found');
    res.writeHead(404).end();
  });

  // WebSocket tracker on /tracker/socket (bittorrent-tracker, as the real server uses).
  const announced = new Set();
  const tracker = new TrackerServer({
    udp: false, http: false, ws: false, stats: false, trustProxy: false,
    filter: (infoHashHex, _params, cb) => {
      announced.add(Buffer.from(infoHashHex, 'hex').toString('latin1'));
      cb(null);
    },
  });
  const wss = new WebSocketServer({ noServer: true });
  server.on('upgrade', (req, socket, head) => {
    if (!req.url.startsWith('/tracker/socket')) return socket.destroy();
    wss.handleUpgrade(req, socket, head, (ws) => {
      ws.upgradeReq = req;
      tracker.onWebSocketConnection(ws);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve({ server, stats, announced, close: () => new Promise((r) => { wss.close(); tracker.close(); server.close(() => r()); }) })));
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop())) {
  const port = Number(process.argv[2] ?? 9123);
  await startMockServer({ port, tamper: process.env.TAMPER === '1' });
  console.log(`mock Flotilla server on http://127.0.0.1:${port}`);
}
