import { ref, watchEffect } from 'vue';

export type ThemeChoice = 'system' | 'light' | 'dark';
const KEY = 'flotilla.theme';

function initial(): ThemeChoice {
  try {
    const v = localStorage.getItem(KEY);
    if (v === 'light' || v === 'dark' || v === 'system') return v;
  } catch {
    /* ignore */
  }
  return 'system';
}

export const theme = ref<ThemeChoice>(initial());

/** The attribute on <html> wins over prefers-color-scheme; "system" removes it. */
export function installTheme(): void {
  watchEffect(() => {
    const root = document.documentElement;
    if (theme.value === 'system') root.removeAttribute('data-theme');
    else root.setAttribute('data-theme', theme.value);
    try {
      localStorage.setItem(KEY, theme.value);
    } catch {
      /* ignore */
    }
  });
}

export function effectiveTheme(): 'light' | 'dark' {
  if (theme.value !== 'system') return theme.value;
  return matchMedia('(prefers-color-scheme: dark)').matches ? 'dark' : 'light';
}

export function toggleTheme(): void {
  theme.value = effectiveTheme() === 'dark' ? 'light' : 'dark';
}
