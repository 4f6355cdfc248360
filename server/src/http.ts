import express, { type NextFunction, type Request, type Response } from 'express';
import { rateLimit, type Options } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Redis } from 'ioredis';
import { existsSync } from 'node:fs';
import { join, sep } from 'node:path';
import { ErrorCode } from '@flotilla/shared';
import { IMMUTABLE, precompressedAssets } from './client-assets';
import { ProblemFilter, problemBody, sendProblem } from './common/problem.filter';
import { redisKey } from './common/redis';
import { logger } from './common/logger';
import { REPO_ROOT, type AppConfig } from './config/config';

/** Paths that belong to the server; everything else that asks for HTML gets the web client. */
const SERVER_PREFIXES = [
  '/api/', '/static/', '/lazy-static/', '/download/', '/.well-known/', '/nodeinfo/', '/tracker/', '/socket.io/',
  '/feeds/', '/accounts/', '/video-channels/', '/inbox', '/services/', '/plugins/',
];

const CORS_PREFIXES = ['/api/', '/download/', '/lazy-static/', '/static/', '/.well-known/', '/nodeinfo/'];

function cors(req: Request, res: Response, next: NextFunction): void {
  if (CORS_PREFIXES.some((p) => req.path.startsWith(p))) {
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader('Access-Control-Allow-Methods', 'GET, POST, PUT, PATCH, DELETE, OPTIONS, HEAD');
    res.setHeader(
      'Access-Control-Allow-Headers',
      'Authorization, Content-Type, Content-Range, Range, X-Upload-Content-Length, X-Upload-Content-Type, X-Peertube-Video-Password, x-peertube-otp',
    );
    res.setHeader('Access-Control-Expose-Headers', 'Location, Range, Content-Range, Retry-After, X-File-Maximum-Size, X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset');
    if (req.method === 'OPTIONS') {
      res.status(204).end();
      return;
    }
  }
  next();
}

/** One debug line per request (method, path, status, duration); off at the default info level. */
function requestLog(req: Request, res: Response, next: NextFunction): void {
  if (!logger.isLevelEnabled('debug')) return next();
  const started = process.hrtime.bigint();
  res.once('finish', () => {
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    logger.debug({ method: req.method, path: req.path, status: res.statusCode, ms: Math.round(ms * 10) / 10 }, 'http');
  });
  next();
}

const AP_TYPES = /application\/(activity\+json|ld\+json)/i;

/** An inbox POST, or a GET asking for an ActivityPub document (not a page, not the API). */
function isActivityPubRequest(req: Request): boolean {
  if (req.path.startsWith('/api/') || req.path.startsWith('/static/') || req.path.startsWith('/lazy-static/')) return false;
  if (req.method === 'POST') return req.path === '/inbox' || req.path.endsWith('/inbox');
  return (req.method === 'GET' || req.method === 'HEAD') && AP_TYPES.test(req.headers.accept ?? '');
}

function limiter(config: AppConfig, redis: Redis, name: string, windowMs: number, max: number, extra: Partial<Options> = {}) {
  return rateLimit({
    windowMs,
    limit: max,
    standardHeaders: false,
    legacyHeaders: true, // X-RateLimit-* as PeerTube sends them
    store: new RedisStore({
      prefix: redisKey(config, 'rl', name) + ':',
      sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<RedisReply>,
    }),
    handler: (req, res, _next, options) => {
      res.setHeader('Retry-After', String(Math.ceil(options.windowMs / 1000)));
      sendProblem(res, problemBody(429, ErrorCode.TOO_MANY_REQUESTS, 'You have been rate limited, try again later', req.originalUrl.split('?')[0]));
    },
    ...extra,
  });
}

/** Express-level set-up that runs before Nest's router. */
export function configureHttp(app: NestExpressApplication, config: AppConfig, redis: Redis): void {
  app.set('trust proxy', 'loopback');
  app.disable('x-powered-by');
  app.useGlobalFilters(new ProblemFilter());
  app.use(cors);
  app.use(requestLog);

  const rl = config.rates_limit;
  if (rl.enabled) {
    app.use('/api/v1/users/token', limiter(config, redis, 'login', rl.login.window, rl.login.max));
    app.use(
      '/api/v1/users/register',
      limiter(config, redis, 'signup', rl.signup.window, rl.signup.max, { skipFailedRequests: true }),
    );
    // Each mail sent on request is a mail to someone's inbox: few per IP (PeerTube's askSendEmailLimiter).
    const askEmail = limiter(config, redis, 'ask_send_email', rl.ask_send_email.window, rl.ask_send_email.max);
    app.use('/api/v1/users/ask-reset-password', askEmail);
    app.use('/api/v1/users/ask-send-verify-email', askEmail);
    app.use('/api/v1/users/registrations/ask-send-verify-email', askEmail);
    // Runners poll and upload often; their own tokens guard them. Logins, signups and mail requests
    // have their own, tighter limiter: counting them here too would also overwrite its X-RateLimit headers.
    const ownPaths = new Set(['/users/token', '/users/register', '/users/ask-reset-password', '/users/ask-send-verify-email', '/users/registrations/ask-send-verify-email']);
    const ownLimiter = (path: string) => path.startsWith('/runners/') || ownPaths.has(path);
    app.use('/api/v1', limiter(config, redis, 'api', rl.api.window, rl.api.max, { skip: (req) => ownLimiter(req.path) }));
    // ActivityPub: every inbox POST and every fetch of an ActivityPub document (PeerTube's
    // activityPubRateLimiter); the pages and the API at the same paths are not counted here.
    app.use(limiter(config, redis, 'activity_pub', rl.activity_pub.window, rl.activity_pub.max, { skip: (req) => !isActivityPubRequest(req) }));
    app.use('/.well-known', limiter(config, redis, 'well_known', rl.well_known.window, rl.well_known.max));
  }

  // Body parsers: JSON for the API, form-encoded for OAuth; uploads use their own parsers.
  // The raw bytes are kept: ActivityPub inboxes check the Digest header against them.
  app.use(
    express.json({
      limit: '1mb',
      type: ['application/json', 'application/*+json'],
      verify: (req, _res, buf) => {
        (req as unknown as { rawBody?: Buffer }).rawBody = buf;
      },
    }),
  );
  app.use(express.urlencoded({ extended: false, limit: '100kb' }));

  app.use('/lazy-static/avatars', express.static(config.paths.avatars, { maxAge: '2h', fallthrough: false }));
  app.use('/lazy-static/banners', express.static(config.paths.avatars, { maxAge: '2h', fallthrough: false }));

  const clientDist = join(REPO_ROOT, 'client', 'dist');
  if (existsSync(clientDist)) {
    const assets = express.static(clientDist, {
      index: false,
      maxAge: '1h',
      // Hashed names never change content; the rest (favicon, …) is revalidated hourly.
      setHeaders: (res, path) => {
        if (path.startsWith(join(clientDist, 'assets') + sep)) {
          res.setHeader('Cache-Control', IMMUTABLE);
          res.setHeader('Vary', 'Accept-Encoding');
        }
      },
    });
    const compressed = precompressedAssets(clientDist);
    app.use((req: Request, res: Response, next: NextFunction) => {
      if (req.method !== 'GET' && req.method !== 'HEAD') return next();
      // Server routes never touch the disk for client files (one stat less per API call).
      if (SERVER_PREFIXES.some((p) => req.path.startsWith(p))) return next();
      compressed(req, res, () => assets(req, res, () => {
        // A missing chunk (an old page after an upgrade) is a 404, not the app's HTML as script.
        if (!req.accepts('html') || req.path.startsWith('/assets/')) return next();
        res.setHeader('Cache-Control', 'no-cache');
        // The embed page is a separate, lighter entry (player only).
        const page = req.path.startsWith('/videos/embed/') ? 'embed.html' : 'index.html';
        res.sendFile(join(clientDist, page));
      }));
    });
  }
}

