import { reactive } from 'vue';
import { getConfig } from '../api/config';
import type { ServerConfig } from '../api/types';
import { api } from './api';

export const serverConfig = reactive({
  value: null as ServerConfig | null,
  error: null as string | null,
});

let loading: Promise<ServerConfig | null> | null = null;

/** GET /api/v1/config once; the app keeps working with defaults when the server is not there. */
export function loadServerConfig(): Promise<ServerConfig | null> {
  loading ??= getConfig(api)
    .then((c) => {
      serverConfig.value = c;
      if (c.instance?.name) document.title = c.instance.name;
      return c;
    })
    .catch((err: unknown) => {
      serverConfig.error = err instanceof Error ? err.message : String(err);
      loading = null;
      return null;
    });
  return loading;
}

export function instanceName(): string {
  return serverConfig.value?.instance?.name || 'Flotilla';
}

/** Fetch /config again (an administrator changed the instance settings): the header follows at once. */
export function reloadServerConfig(): Promise<ServerConfig | null> {
  loading = null;
  return loadServerConfig();
}
