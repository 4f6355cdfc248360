import { z } from 'zod';
import { text } from './text';
import { displayNameSchema, emailSchema, looseInt, paginationQuery, type Constant } from './common';
import { registerUserSchema } from './users';
import type { Video } from './videos';
import { NSFW_POLICIES } from '../video/enums';

// --- Users: block (PeerTube: POST /users/{id}/block with an optional reason) ---

export const blockUserSchema = z.object({ reason: text().min(3).max(250).optional() });
export type BlockUser = z.infer<typeof blockUserSchema>;

// --- Registration requests (PeerTube 5.1) ---

/** PeerTube's UserRegistrationState. */
export const UserRegistrationState = { PENDING: 1, REJECTED: 2, ACCEPTED: 3 } as const;
export type UserRegistrationState = (typeof UserRegistrationState)[keyof typeof UserRegistrationState];
export const USER_REGISTRATION_STATE_LABELS: Record<UserRegistrationState, string> = { 1: 'Pending', 2: 'Rejected', 3: 'Accepted' };

export const registrationRequestSchema = registerUserSchema.extend({ registrationReason: text().min(2).max(3000) });
export type RegistrationRequest = z.infer<typeof registrationRequestSchema>;

export const registrationModerationSchema = z.object({
  moderationResponse: text().min(2).max(3000),
  preventEmailDelivery: z.boolean().optional(),
});
export type RegistrationModeration = z.infer<typeof registrationModerationSchema>;

export const listRegistrationsQuery = paginationQuery.extend({ search: text().max(100).optional() });
export type ListRegistrationsQuery = z.infer<typeof listRegistrationsQuery>;

export interface UserRegistration {
  id: number;
  state: Constant<UserRegistrationState>;
  registrationReason: string;
  moderationResponse: string | null;
  username: string;
  email: string;
  emailVerified: boolean;
  accountDisplayName: string;
  channelHandle: string | null;
  channelDisplayName: string | null;
  createdAt: string;
  updatedAt: string;
  user: { id: number } | null;
}

// --- Video blacklist (what the UI calls "hide") ---

export const VideoBlacklistType = { MANUAL: 1, AUTO_BEFORE_PUBLISHED: 2 } as const;

export const blacklistVideoSchema = z.object({ reason: text().max(300).optional(), unfederate: z.boolean().optional() });
export type BlacklistVideo = z.infer<typeof blacklistVideoSchema>;

export const listBlacklistQuery = paginationQuery.extend({
  search: text().max(100).optional(),
  type: looseInt.pipe(z.number().int().min(1).max(2)).optional(),
});
export type ListBlacklistQuery = z.infer<typeof listBlacklistQuery>;

export interface VideoBlacklistEntry {
  id: number;
  videoId: number;
  reason: string | null;
  unfederated: boolean;
  type: Constant<number>;
  createdAt: string;
  updatedAt: string;
  video: Video;
}

// --- Custom config (PeerTube's GET/PUT/DELETE /api/v1/config/custom, the part Flotilla applies) ---

const shortText = (max: number) => text().max(max);
export const customConfigSchema = z.object({
  instance: z
    .object({
      name: text().trim().min(1).max(120),
      shortDescription: shortText(400),
      description: shortText(10_000),
      terms: shortText(10_000),
      codeOfConduct: shortText(10_000),
      moderationInformation: shortText(10_000),
      creationReason: shortText(10_000),
      administrator: shortText(10_000),
      maintenanceLifetime: shortText(10_000),
      businessModel: shortText(10_000),
      hardwareInformation: shortText(10_000),
      languages: z.array(text().min(2).max(10)).max(200),
      categories: z.array(z.number().int().min(1).max(100)).max(100),
      isNSFW: z.boolean(),
      defaultNSFWPolicy: z.enum(NSFW_POLICIES),
    })
    .partial()
    .optional(),
  signup: z
    .object({
      enabled: z.boolean(),
      limit: z.number().int().min(-1),
      requiresApproval: z.boolean(),
      requiresEmailVerification: z.boolean(),
      minimumAge: z.number().int().min(0).max(120),
    })
    .partial()
    .optional(),
  user: z.object({ videoQuota: z.number().int().min(-1), videoQuotaDaily: z.number().int().min(-1) }).partial().optional(),
  contactForm: z.object({ enabled: z.boolean() }).partial().optional(),
});
export type CustomConfigUpdate = z.infer<typeof customConfigSchema>;

export interface CustomConfig {
  instance: {
    name: string;
    shortDescription: string;
    description: string;
    terms: string;
    codeOfConduct: string;
    moderationInformation: string;
    creationReason: string;
    administrator: string;
    maintenanceLifetime: string;
    businessModel: string;
    hardwareInformation: string;
    languages: string[];
    categories: number[];
    isNSFW: boolean;
    defaultNSFWPolicy: (typeof NSFW_POLICIES)[number];
  };
  signup: { enabled: boolean; limit: number; requiresApproval: boolean; requiresEmailVerification: boolean; minimumAge: number };
  user: { videoQuota: number; videoQuotaDaily: number };
  contactForm: { enabled: boolean };
}

// --- /api/v1/server/stats (PeerTube's ServerStats, the figures Flotilla keeps) ---

export interface ServerStats {
  totalUsers: number;
  totalDailyActiveUsers: number;
  totalWeeklyActiveUsers: number;
  totalMonthlyActiveUsers: number;
  totalLocalVideos: number;
  totalLocalVideoViews: number;
  totalLocalVideoComments: number;
  totalLocalVideoFilesSize: number;
  totalVideos: number;
  totalVideoComments: number;
  totalLocalVideoChannels: number;
  totalLocalDailyActiveVideoChannels: number;
  totalLocalWeeklyActiveVideoChannels: number;
  totalLocalMonthlyActiveVideoChannels: number;
  totalLocalPlaylists: number;
  totalInstanceFollowers: number;
  totalInstanceFollowing: number;
  videosRedundancy: unknown[];
  totalActivityPubMessagesProcessed: number;
  totalActivityPubMessagesSuccesses: number;
  totalActivityPubMessagesErrors: number;
  activityPubMessagesProcessedPerSecond: number;
  totalActivityPubMessagesWaiting: number;
}

// --- Why runner jobs wait (Flotilla's own: PeerTube has no such route) ---

export interface TranscodingAvailability {
  /** Runner jobs waiting for a runner (PENDING / WAITING_FOR_PARENT_JOB). */
  pendingJobs: number;
  /** Runners heard from within the stall window. */
  runnersOnline: number;
  embedded: { enabled: boolean; running: boolean };
  /** Null while runners can take the waiting jobs; otherwise a sentence for owners and admins. */
  reason: string | null;
}

/** PeerTube's `POST /api/v1/server/contact`: a visitor writes to the instance's administrators. */
export const contactFormSchema = z.object({
  fromName: displayNameSchema,
  fromEmail: emailSchema,
  subject: text().min(1).max(120),
  body: text().min(3).max(5000),
});
export type ContactForm = z.infer<typeof contactFormSchema>;
