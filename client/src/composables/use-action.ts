import { ref } from 'vue';
import { errorMessage } from '../utils/errors';

export interface Flash {
  kind: 'error' | 'success';
  text: string;
}

/** Runs a page action, then `after` (a list to reload); keeps the outcome as a message to show. */
export function useAction(after: () => Promise<unknown> = async () => undefined) {
  const message = ref<Flash | null>(null);
  async function act(fn: () => Promise<unknown>, success: string | (() => string)): Promise<boolean> {
    message.value = null;
    try {
      await fn();
      message.value = { kind: 'success', text: typeof success === 'function' ? success() : success };
      await after();
      return true;
    } catch (err) {
      message.value = { kind: 'error', text: errorMessage(err) };
      return false;
    }
  }
  return { message, act };
}
