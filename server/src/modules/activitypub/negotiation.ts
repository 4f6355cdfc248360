import type { Request } from 'express';
import { AP_MEDIA_TYPES } from '@flotilla/shared';

/** True when the client asked for ActivityPub JSON (plain application/json does not count). */
export function wantsActivityJson(req: Request): boolean {
  const accept = (req.headers.accept ?? '').toLowerCase();
  return AP_MEDIA_TYPES.some((t) => accept.includes(t));
}
