import { z } from 'zod';
import { channelNameSchema, descriptionSchema, displayNameSchema, supportSchema } from './common';

export const createChannelSchema = z.object({
  name: channelNameSchema,
  displayName: displayNameSchema,
  description: descriptionSchema.nullable().optional(),
  support: supportSchema.nullable().optional(),
});
export type CreateChannel = z.infer<typeof createChannelSchema>;

export const updateChannelSchema = z.object({
  displayName: displayNameSchema.optional(),
  description: descriptionSchema.nullable().optional(),
  support: supportSchema.nullable().optional(),
  bulkVideosSupportUpdate: z.boolean().optional(),
});
export type UpdateChannel = z.infer<typeof updateChannelSchema>;
