import { z } from 'zod';
import { channelNameSchema, descriptionSchema, displayNameSchema, paginationQuery, supportSchema } from './common';
import { text } from './text';

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

/** `GET /api/v1/search/video-channels`: free text over the handle and the display name. */
export const searchChannelsQuery = paginationQuery.extend({
  search: text().max(1000).optional(),
  host: text().max(300).optional(),
});
export type SearchChannelsQuery = z.infer<typeof searchChannelsQuery>;
