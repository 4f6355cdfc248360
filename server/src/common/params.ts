import { z } from 'zod';
import { looseInt, text } from '@flotilla/shared';

/** Route parameter schemas shared by controllers. */
export const idParam = z.object({ id: looseInt.pipe(z.number().int().min(1).max(2147483647)) });
export const handleParam = z.object({ handle: text().min(1).max(300) });
export const nameParam = z.object({ name: text().min(1).max(300) });
