/**
 * Login state: tokens in localStorage, the current user, silent refresh on an expired access
 * token (ApiClient.onUnauthorized), and a redirect to /login (and back) when refreshing fails.
 */
import { computed, reactive } from 'vue';
import type { User } from '@flotilla/shared';
import { login as apiLogin, refresh as apiRefresh, revokeToken } from '../api/auth';
import { ApiError } from '../api/http';
import { getMe } from '../api/users';
import { api } from './api';

const STORAGE_KEY = 'flotilla.session';

interface StoredTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

export const session = reactive({
  user: null as User | null,
  tokens: null as StoredTokens | null,
  ready: false,
  /** Set when a request needed a login the session could not renew (the router watches it). */
  expired: false,
});

export const isLoggedIn = computed(() => !!session.tokens);
export const isAdmin = computed(() => session.user?.role.id === 0);
/** Administrators and moderators (PeerTube's roles 0 and 1). */
export const isModerator = computed(() => (session.user?.role.id ?? 99) <= 1);

function store(tokens: StoredTokens | null): void {
  session.tokens = tokens;
  api.accessToken = tokens?.accessToken ?? null;
  try {
    if (tokens) localStorage.setItem(STORAGE_KEY, JSON.stringify(tokens));
    else localStorage.removeItem(STORAGE_KEY);
  } catch {
    /* storage unavailable: the session lasts for this page only */
  }
}

let refreshing: Promise<boolean> | null = null;

/** Renews the access token once for all concurrent 401s. */
export function refreshSession(): Promise<boolean> {
  if (!session.tokens) return Promise.resolve(false);
  refreshing ??= (async () => {
    try {
      const t = await apiRefresh(api, session.tokens!.refreshToken);
      store({ accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: Date.now() + t.expires_in * 1000 });
      return true;
    } catch {
      store(null);
      session.user = null;
      session.expired = true;
      return false;
    } finally {
      refreshing = null;
    }
  })();
  return refreshing;
}

api.onUnauthorized = refreshSession;

export async function restoreSession(): Promise<void> {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw) store(JSON.parse(raw) as StoredTokens);
  } catch {
    store(null);
  }
  if (session.tokens) {
    try {
      session.user = await getMe(api);
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) {
        store(null);
        session.user = null;
      }
    }
  }
  session.ready = true;
}

export async function login(username: string, password: string): Promise<void> {
  const t = await apiLogin(api, username, password);
  store({ accessToken: t.access_token, refreshToken: t.refresh_token, expiresAt: Date.now() + t.expires_in * 1000 });
  session.expired = false;
  session.user = await getMe(api);
}

export async function logout(): Promise<void> {
  try {
    await revokeToken(api);
  } catch {
    /* the token may already be dead */
  }
  store(null);
  session.user = null;
}

export async function reloadUser(): Promise<void> {
  if (session.tokens) session.user = await getMe(api);
}

/** Authorization header for media requests of private videos. */
export function authHeader(): string | null {
  return session.tokens ? `Bearer ${session.tokens.accessToken}` : null;
}
