import { ref, shallowRef } from 'vue';
import { ApiError } from '../api/http';
import { errorMessage } from '../utils/errors';

/** Loading / data / error triple around an async loader, with the HTTP status kept for 403/404 pages. */
export function useAsync<T>(loader: () => Promise<T>) {
  const data = shallowRef<T | null>(null);
  const loading = ref(false);
  const error = ref<string | null>(null);
  const status = ref<number | null>(null);
  let seq = 0;

  async function run(): Promise<T | null> {
    const mine = ++seq;
    loading.value = true;
    error.value = null;
    status.value = null;
    try {
      const value = await loader();
      if (mine === seq) data.value = value;
      return value;
    } catch (err) {
      if (mine === seq) {
        error.value = errorMessage(err);
        status.value = err instanceof ApiError ? err.status : null;
      }
      return null;
    } finally {
      if (mine === seq) loading.value = false;
    }
  }

  return { data, loading, error, status, run };
}
