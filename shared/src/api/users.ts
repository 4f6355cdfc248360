import { z } from 'zod';
import { text } from './text';
import {
  channelNameSchema,
  displayNameSchema,
  emailSchema,
  looseInt,
  paginationQuery,
  passwordSchema,
  queryBoolean,
  usernameSchema,
  type ActorImage,
  type Constant,
} from './common';
import { NSFW_POLICIES } from '../video/enums';

export const tokenRequestSchema = z.object({
  client_id: text().min(1).max(200),
  client_secret: text().min(1).max(200),
  grant_type: z.enum(['password', 'refresh_token']),
  username: text().max(400).optional(),
  password: text().max(400).optional(),
  refresh_token: text().max(400).optional(),
});
export type TokenRequest = z.infer<typeof tokenRequestSchema>;

export interface TokenResponse {
  token_type: 'Bearer';
  access_token: string;
  refresh_token: string;
  expires_in: number;
  refresh_token_expires_in: number;
}

export interface OAuthClientLocal {
  client_id: string;
  client_secret: string;
}

const quota = looseInt.pipe(z.number().int().min(-1));

export const createUserSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  email: emailSchema,
  role: looseInt.pipe(z.number().int().min(0).max(2)),
  videoQuota: quota.optional(),
  videoQuotaDaily: quota.optional(),
  channelName: channelNameSchema.optional(),
  adminFlags: looseInt.pipe(z.number().int().min(0).max(1)).optional(),
});
export type CreateUser = z.infer<typeof createUserSchema>;

export const updateUserSchema = z.object({
  email: emailSchema.optional(),
  emailVerified: z.boolean().optional(),
  videoQuota: quota.optional(),
  videoQuotaDaily: quota.optional(),
  role: looseInt.pipe(z.number().int().min(0).max(2)).optional(),
  adminFlags: looseInt.pipe(z.number().int().min(0).max(1)).optional(),
  password: passwordSchema.optional(),
  pluginAuth: text().nullable().optional(),
});
export type UpdateUser = z.infer<typeof updateUserSchema>;

export const updateMeSchema = z
  .object({
    password: passwordSchema.optional(),
    currentPassword: text().max(255).optional(),
    email: emailSchema.optional(),
    displayName: displayNameSchema.optional(),
    description: text().max(1000).nullable().optional(),
    nsfwPolicy: z.enum(NSFW_POLICIES).optional(),
    p2pEnabled: z.boolean().optional(),
    autoPlayVideo: z.boolean().optional(),
    autoPlayNextVideo: z.boolean().optional(),
    autoPlayNextVideoPlaylist: z.boolean().optional(),
    videosHistoryEnabled: z.boolean().optional(),
    videoLanguages: z.array(text().max(10)).max(30).nullable().optional(),
    theme: text().max(50).optional(),
    noInstanceConfigWarningModal: z.boolean().optional(),
    noAccountSetupWarningModal: z.boolean().optional(),
    noWelcomeModal: z.boolean().optional(),
  })
  // PeerTube's rule: a stolen access token alone must not change the credentials a password reset
  // goes through, so both the password and the e-mail need the current password (400 when absent).
  .refine((v) => (v.password === undefined && v.email === undefined) || v.currentPassword !== undefined, {
    message: 'currentPassword is required to change the password or the e-mail',
    path: ['currentPassword'],
  });
export type UpdateMe = z.infer<typeof updateMeSchema>;

export const registerUserSchema = z.object({
  username: usernameSchema,
  password: passwordSchema,
  email: emailSchema,
  displayName: displayNameSchema.optional(),
  channel: z.object({ name: channelNameSchema, displayName: displayNameSchema }).optional(),
});
export type RegisterUser = z.infer<typeof registerUserSchema>;

export const listUsersQuery = paginationQuery.extend({
  search: text().max(100).optional(),
  blocked: queryBoolean.optional(),
});

export interface Account {
  id: number;
  url: string;
  name: string;
  host: string;
  hostRedundancyAllowed: boolean | null;
  avatars: ActorImage[];
  followersCount: number;
  followingCount: number;
  createdAt: string;
  updatedAt: string;
  userId: number | null;
  displayName: string;
  description: string | null;
}

export interface AccountSummary {
  id: number;
  name: string;
  displayName: string;
  url: string;
  host: string;
  avatars: ActorImage[];
}

export interface VideoChannel extends Omit<Account, 'userId'> {
  support: string | null;
  isLocal: boolean;
  banners: ActorImage[];
  ownerAccount: Account;
}

export interface VideoChannelSummary extends AccountSummary {}

export interface User {
  id: number;
  username: string;
  email: string;
  pendingEmail: string | null;
  emailVerified: boolean;
  role: Constant<number>;
  adminFlags: number;
  account: Account;
  videoChannels: VideoChannel[];
  videoQuota: number;
  videoQuotaDaily: number;
  nsfwPolicy: string;
  p2pEnabled: boolean;
  autoPlayVideo: boolean;
  autoPlayNextVideo: boolean;
  autoPlayNextVideoPlaylist: boolean;
  videosHistoryEnabled: boolean;
  videoLanguages: string[] | null;
  theme: string;
  blocked: boolean;
  blockedReason: string | null;
  createdAt: string;
  lastLoginDate: string | null;
  pluginAuth: string | null;
  noInstanceConfigWarningModal: boolean;
  noAccountSetupWarningModal: boolean;
  noWelcomeModal: boolean;
  twoFactorEnabled: boolean;
  /** PeerTube's per-type notification settings (0 none, 1 web, 2 e-mail, 3 both). */
  notificationSettings: import('./notifications').UserNotificationSetting;
}

// Password reset and e-mail verification (PeerTube's routes; the secret travels in the mailed link).
export const askEmailSchema = z.object({ email: emailSchema });
export type AskEmail = z.infer<typeof askEmailSchema>;

const verificationString = text().min(1).max(200);

export const resetPasswordSchema = z.object({ verificationString, password: passwordSchema });
export type ResetPassword = z.infer<typeof resetPasswordSchema>;

export const verifyEmailSchema = z.object({ verificationString, isPendingEmail: z.boolean().optional() });
export type VerifyEmail = z.infer<typeof verifyEmailSchema>;

export const verifyRegistrationEmailSchema = z.object({ verificationString });
export type VerifyRegistrationEmail = z.infer<typeof verifyRegistrationEmailSchema>;
