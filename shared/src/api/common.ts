import { z } from 'zod';
import { text } from './text';

/** `{ id, label }` pairs that PeerTube uses for every constant-valued field. */
export interface Constant<T> {
  id: T;
  label: string;
}

export interface ResultList<T> {
  total: number;
  data: T[];
}

/** Query booleans arrive as the strings "true"/"false" (and multipart values as "1"/"0"). */
export const queryBoolean = z.preprocess((v) => {
  if (v === 'true' || v === '1' || v === 1) return true;
  if (v === 'false' || v === '0' || v === 0) return false;
  return v;
}, z.boolean());

/** Integers that may arrive as strings (query strings, multipart fields). */
export const looseInt = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' ? Number(v) : v), z.number().int());

export const paginationQuery = z.object({
  start: looseInt.pipe(z.number().int().min(0)).default(0),
  count: looseInt.pipe(z.number().int().min(0).max(100)).default(15),
  sort: text().max(50).optional(),
  skipCount: queryBoolean.optional(),
});
export type PaginationQuery = z.infer<typeof paginationQuery>;

/** PeerTube's username rule: lowercase letters, digits, dot and underscore, 1–50 characters. */
export const usernameSchema = text().min(1).max(50).regex(/^[a-z0-9._]+$/, 'must match ^[a-z0-9._]+$');
/** Channel handles may also hold '-' and ':'. */
export const channelNameSchema = text().min(1).max(50).regex(/^[a-zA-Z0-9\-_.:]+$/, 'must match ^[a-zA-Z0-9-_.:]+$');
export const passwordSchema = text().min(6).max(255);
export const emailSchema = text().max(400).email();
export const displayNameSchema = text().min(1).max(120);
export const descriptionSchema = text().max(1000);
export const supportSchema = text().max(1000);

export interface ActorImage {
  path: string;
  fileUrl?: string;
  width: number;
  height?: number;
  createdAt: string;
  updatedAt: string;
}
