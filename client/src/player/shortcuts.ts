/** Keyboard shortcuts of the player, as a pure mapping (unit-tested). */
export type PlayerAction =
  | { type: 'toggle-play' }
  | { type: 'fullscreen' }
  | { type: 'mute' }
  | { type: 'seek'; by: number }
  | { type: 'seek-percent'; percent: number }
  | { type: 'volume'; by: number }
  | { type: 'speed'; by: number }
  | { type: 'theater' };

/** The shortcuts as the `?` help lists them (same table as actionForKey). */
export const SHORTCUT_HELP: Array<[keys: string, what: string]> = [
  ['Space, k', 'Play / pause'],
  ['←, →', 'Back / forward 5 seconds'],
  ['j, l', 'Back / forward 10 seconds'],
  ['0 … 9', 'Go to 0 % … 90 % of the video'],
  ['↑, ↓', 'Volume up / down'],
  ['m', 'Mute / unmute'],
  ['<, >', 'Slower / faster playback'],
  ['f', 'Full screen'],
  ['t', 'Theater mode'],
  ['?', 'Show this help'],
];

export function actionForKey(e: { key: string; ctrlKey?: boolean; metaKey?: boolean; altKey?: boolean }): PlayerAction | null {
  if (e.ctrlKey || e.metaKey || e.altKey) return null;
  switch (e.key) {
    case ' ':
    case 'k':
    case 'K':
      return { type: 'toggle-play' };
    case 'f':
    case 'F':
      return { type: 'fullscreen' };
    case 'm':
    case 'M':
      return { type: 'mute' };
    case 'ArrowLeft':
      return { type: 'seek', by: -5 };
    case 'ArrowRight':
      return { type: 'seek', by: 5 };
    case 'j':
    case 'J':
      return { type: 'seek', by: -10 };
    case 'l':
    case 'L':
      return { type: 'seek', by: 10 };
    case 'ArrowUp':
      return { type: 'volume', by: 0.05 };
    case 'ArrowDown':
      return { type: 'volume', by: -0.05 };
    case '<':
      return { type: 'speed', by: -0.25 };
    case '>':
      return { type: 'speed', by: 0.25 };
    case 't':
    case 'T':
      return { type: 'theater' };
    default:
      if (/^[0-9]$/.test(e.key)) return { type: 'seek-percent', percent: Number(e.key) * 10 };
      return null;
  }
}

/** Keys typed into form fields are not shortcuts. */
export function isTypingTarget(target: EventTarget | null): boolean {
  const el = target as HTMLElement | null;
  if (!el || !el.tagName) return false;
  const tag = el.tagName.toLowerCase();
  if (tag === 'textarea' || tag === 'select' || el.isContentEditable) return true;
  if (tag !== 'input') return false;
  const type = (el as HTMLInputElement).type;
  return type !== 'range' && type !== 'checkbox' && type !== 'button';
}
