import { z } from 'zod';
import { looseInt } from '@flotilla/shared';

/** Route parameter schemas shared by controllers. */
export const idParam = z.object({ id: looseInt.pipe(z.number().int().min(1).max(2147483647)) });
export const handleParam = z.object({ handle: z.string().min(1).max(300) });
export const nameParam = z.object({ name: z.string().min(1).max(300) });
