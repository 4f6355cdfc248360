import type { ProblemJson } from '@flotilla/shared';

/** An error answer from the server, carrying its problem+json body (when it sent one). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Partial<ProblemJson> | null,
    readonly headers: Headers,
  ) {
    super(problem?.detail ?? problem?.error ?? `HTTP ${status}`);
  }
  get code(): string | undefined {
    return this.problem?.code;
  }
}

export type QueryValue = string | number | boolean | undefined | null | Array<string | number>;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  /** JSON body. */
  json?: unknown;
  /** application/x-www-form-urlencoded body. */
  form?: Record<string, string>;
  /** Any other body (FormData, Blob, bytes). */
  body?: BodyInit;
  headers?: Record<string, string>;
  /** Statuses accepted as success besides 2xx (e.g. 308 for resumable uploads). */
  okStatuses?: number[];
  signal?: AbortSignal;
  /**
   * fetch's redirect mode (default 'manual'). Browsers turn a 3xx into an opaque status-0 answer in
   * 'manual' mode, even a 308 without Location; resumable uploads need 'follow' to read their 308s.
   */
  redirect?: 'follow' | 'manual' | 'error';
  /** fetch's cache mode ('no-cache': revalidate what the browser holds). */
  cache?: RequestCache;
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
}

/**
 * The one place that calls fetch. Works in browsers (baseUrl '' = same origin) and in Node ≥ 20
 * (tests drive the server over real HTTP through this same client).
 */
export class ApiClient {
  accessToken: string | null = null;
  /** Called once on a 401 with code invalid_token; return true when the token was renewed. */
  onUnauthorized: (() => Promise<boolean>) | null = null;

  constructor(readonly baseUrl = '') {}

  url(path: string, query?: Record<string, QueryValue>): string {
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) {
      if (v === undefined || v === null) continue;
      if (Array.isArray(v)) v.forEach((item) => qs.append(k, String(item)));
      else qs.append(k, String(v));
    }
    const s = qs.toString();
    // Absolute URLs (static files of remote instances, URLs found in JSON) are used as they are.
    const prefix = /^https?:\/\//i.test(path) ? '' : this.baseUrl;
    const sep = path.includes('?') ? '&' : '?';
    return `${prefix}${path}${s ? `${sep}${s}` : ''}`;
  }

  async raw(method: string, path: string, opts: RequestOptions = {}, retried = false): Promise<RawResponse> {
    const headers: Record<string, string> = { Accept: 'application/json', ...opts.headers };
    if (this.accessToken && !('Authorization' in headers)) headers.Authorization = `Bearer ${this.accessToken}`;
    // `Authorization: ''` means "send no credentials" (login, other instances' files).
    if (headers.Authorization === '') delete headers.Authorization;
    let body: BodyInit | undefined = opts.body;
    if (opts.json !== undefined) {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(opts.json);
    } else if (opts.form) {
      headers['Content-Type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(opts.form).toString();
    }
    const res = await fetch(this.url(path, opts.query), { method, headers, body, signal: opts.signal, redirect: opts.redirect ?? 'manual', cache: opts.cache });
    const text = await res.text();
    const ok = (res.status >= 200 && res.status < 300) || (opts.okStatuses ?? []).includes(res.status);
    if (!ok) {
      let problem: Partial<ProblemJson> | null;
      try {
        problem = text ? (JSON.parse(text) as Partial<ProblemJson>) : null;
      } catch {
        problem = { detail: text.slice(0, 500) };
      }
      if (res.status === 401 && !retried && this.onUnauthorized && problem?.code === 'invalid_token') {
        if (await this.onUnauthorized()) return this.raw(method, path, opts, true);
      }
      throw new ApiError(res.status, problem, res.headers);
    }
    return { status: res.status, headers: res.headers, text };
  }

  async request<T>(method: string, path: string, opts: RequestOptions = {}): Promise<T> {
    const res = await this.raw(method, path, opts);
    return (res.text ? JSON.parse(res.text) : undefined) as T;
  }

  get<T>(path: string, query?: Record<string, QueryValue>): Promise<T> {
    return this.request<T>('GET', path, { query });
  }
}
