/**
 * Remembers unfinished uploads across reloads: the server's upload URL plus what identifies the
 * file (name, size, lastModified), so that picking the same file again offers to resume.
 */
const KEY = 'flotilla.uploads';
const MAX_AGE_MS = 24 * 3600 * 1000;

export interface FileIdentity {
  name: string;
  size: number;
  lastModified: number;
}

export interface RememberedUpload extends FileIdentity {
  uploadPath: string;
  videoName: string;
  savedAt: number;
}

export function fileKey(f: FileIdentity): string {
  return `${f.name}|${f.size}|${f.lastModified}`;
}

function readAll(storage: Storage): Record<string, RememberedUpload> {
  try {
    const parsed = JSON.parse(storage.getItem(KEY) ?? '{}') as Record<string, RememberedUpload>;
    const now = Date.now();
    for (const [k, v] of Object.entries(parsed)) if (now - v.savedAt > MAX_AGE_MS) delete parsed[k];
    return parsed;
  } catch {
    return {};
  }
}

function writeAll(storage: Storage, all: Record<string, RememberedUpload>): void {
  try {
    storage.setItem(KEY, JSON.stringify(all));
  } catch {
    /* storage full or disabled */
  }
}

export function rememberUpload(entry: Omit<RememberedUpload, 'savedAt'>, storage: Storage = localStorage): void {
  const all = readAll(storage);
  all[fileKey(entry)] = { ...entry, savedAt: Date.now() };
  writeAll(storage, all);
}

export function findUpload(file: FileIdentity, storage: Storage = localStorage): RememberedUpload | null {
  return readAll(storage)[fileKey(file)] ?? null;
}

export function forgetUpload(file: FileIdentity, storage: Storage = localStorage): void {
  const all = readAll(storage);
  delete all[fileKey(file)];
  writeAll(storage, all);
}

export function listUploads(storage: Storage = localStorage): RememberedUpload[] {
  return Object.values(readAll(storage)).sort((a, b) => b.savedAt - a.savedAt);
}
