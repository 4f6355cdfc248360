import type { AppConfig } from '../../../config/config';
import { LocalStorageProvider } from './local-storage.provider';
import type { StorageProvider } from './storage-provider';

/**
 * The one place a storage provider is chosen. An object-store provider is added here (selected by
 * configuration); nothing else names an implementation.
 */
export function createStorageProvider(config: AppConfig): StorageProvider {
  return new LocalStorageProvider(config);
}
