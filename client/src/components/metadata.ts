import type { VideoUploadMetadata } from '../api/types';
import { parseTags } from '../utils/format';

export interface MetadataModel {
  name: string;
  description: string;
  channelId: number | null;
  privacy: number;
  tags: string;
  category: number | null;
  language: string | null;
  licence: number | null;
  nsfw: boolean;
  thumbnail: File | null;
}

export function emptyMetadata(name = '', channelId: number | null = null): MetadataModel {
  return { name, description: '', channelId, privacy: 1, tags: '', category: null, language: null, licence: null, nsfw: false, thumbnail: null };
}

/** A file name without its extension makes a decent default title. */
export function titleFromFilename(filename: string): string {
  const base = filename.replace(/\.[^.]+$/, '').replace(/[_]+/g, ' ').trim();
  return (base.length >= 3 ? base : `${base} video`).slice(0, 120);
}

export function toUploadMetadata(m: MetadataModel): VideoUploadMetadata {
  const tags = parseTags(m.tags);
  return {
    name: m.name.trim(),
    channelId: m.channelId ?? 0,
    privacy: m.privacy,
    description: m.description || undefined,
    category: m.category ?? undefined,
    language: m.language ?? undefined,
    licence: m.licence ?? undefined,
    nsfw: m.nsfw,
    tags: tags.length ? tags : undefined,
    waitTranscoding: true,
  };
}
