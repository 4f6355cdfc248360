/** Viewer preferences kept in localStorage (volume memory, P2P opt-out). */
const KEY = 'flotilla.player';

export interface PlayerPrefs {
  volume: number;
  muted: boolean;
  /** undefined until the viewer chooses (then the account/instance default applies). */
  p2pEnabled?: boolean;
  /** -1 = automatic. */
  quality: number;
}

const defaults: PlayerPrefs = { volume: 1, muted: false, quality: -1 };

export function loadPrefs(): PlayerPrefs {
  try {
    const raw = localStorage.getItem(KEY);
    return raw ? { ...defaults, ...(JSON.parse(raw) as Partial<PlayerPrefs>) } : { ...defaults };
  } catch {
    return { ...defaults };
  }
}

export function savePrefs(patch: Partial<PlayerPrefs>): PlayerPrefs {
  const next = { ...loadPrefs(), ...patch };
  try {
    localStorage.setItem(KEY, JSON.stringify(next));
  } catch {
    /* private mode: keep in memory only */
  }
  return next;
}
