/** Keyboard shortcuts of the player, as a pure mapping (unit-tested). */
export type PlayerAction =
  | { type: 'toggle-play' }
  | { type: 'fullscreen' }
  | { type: 'mute' }
  | { type: 'seek'; by: number }
  | { type: 'seek-percent'; percent: number }
  | { type: 'volume'; by: number };

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
