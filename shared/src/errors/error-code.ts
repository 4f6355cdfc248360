/**
 * The only error vocabulary on the wire. Values that PeerTube defines keep PeerTube's spelling
 * (clients branch on them); the others are Flotilla's own and follow the same snake_case style.
 */
export const ErrorCode = {
  // PeerTube's ServerErrorCode values
  MAX_FILE_SIZE_REACHED: 'max_file_size_reached',
  QUOTA_REACHED: 'quota_reached',
  DOES_NOT_RESPECT_FOLLOW_CONSTRAINTS: 'does_not_respect_follow_constraints',
  LIVE_NOT_ENABLED: 'live_not_enabled',
  LIVE_NOT_ALLOWING_REPLAY: 'live_not_allowing_replay',
  LIVE_CONFLICTING_PERMANENT_AND_SAVE_REPLAY: 'live_conflicting_permanent_and_save_replay',
  MAX_INSTANCE_LIVES_LIMIT_REACHED: 'max_instance_lives_limit_reached',
  MAX_USER_LIVES_LIMIT_REACHED: 'max_user_lives_limit_reached',
  MISSING_TWO_FACTOR: 'missing_two_factor',
  INVALID_TWO_FACTOR: 'invalid_two_factor',
  ACCOUNT_WAITING_FOR_APPROVAL: 'account_waiting_for_approval',
  ACCOUNT_APPROVAL_REJECTED: 'account_approval_rejected',
  RUNNER_JOB_NOT_IN_PROCESSING_STATE: 'runner_job_not_in_processing_state',
  RUNNER_JOB_NOT_IN_PENDING_STATE: 'runner_job_not_in_pending_state',
  UNKNOWN_RUNNER_TOKEN: 'unknown_runner_token',
  VIDEO_REQUIRES_PASSWORD: 'video_requires_password',
  INCORRECT_VIDEO_PASSWORD: 'incorrect_video_password',
  VIDEO_ALREADY_BEING_TRANSCODED: 'video_already_being_transcoded',
  COMMENT_NOT_ASSOCIATED_TO_VIDEO: 'comment_not_associated_to_video',
  // OAuth
  INVALID_GRANT: 'invalid_grant',
  INVALID_CLIENT: 'invalid_client',
  INVALID_TOKEN: 'invalid_token',
  UNSUPPORTED_GRANT_TYPE: 'unsupported_grant_type',
  /** oauth2-server's AccessDeniedError name, which PeerTube sends for a blocked or unverified user's login. */
  ACCESS_DENIED: 'access_denied',
  // Flotilla's own
  BAD_REQUEST: 'bad_request',
  INVALID_PARAMS: 'invalid_params',
  UNAUTHORIZED: 'unauthorized',
  FORBIDDEN: 'forbidden',
  NOT_FOUND: 'not_found',
  CONFLICT: 'conflict',
  PAYLOAD_TOO_LARGE: 'payload_too_large',
  UNSUPPORTED_MEDIA_TYPE: 'unsupported_media_type',
  TOO_MANY_REQUESTS: 'too_many_requests',
  /** A low-latency live's blocking playlist reload: the part asked for did not appear in time (503). */
  LIVE_PART_NOT_READY: 'live_part_not_ready',
  /** The client stopped sending the body (an aborted upload): answered if still possible, not logged as a fault. */
  REQUEST_ABORTED: 'request_aborted',
  INTERNAL: 'internal_error',
  SIGNUP_DISABLED: 'signup_disabled',
  USERNAME_TAKEN: 'username_already_exists',
  EMAIL_TAKEN: 'email_already_exists',
  ACTOR_NAME_TAKEN: 'actor_name_already_exists',
  USER_NOT_FOUND: 'user_not_found',
  ACCOUNT_NOT_FOUND: 'account_not_found',
  CHANNEL_NOT_FOUND: 'video_channel_not_found',
  NOT_CHANNEL_OWNER: 'not_video_channel_owner',
  CANNOT_DELETE_LAST_CHANNEL: 'cannot_delete_last_video_channel',
  CANNOT_DELETE_ROOT: 'cannot_delete_root_user',
  CANNOT_CHANGE_ROOT_ROLE: 'cannot_change_root_role',
  INSUFFICIENT_ROLE: 'insufficient_role',
  WRONG_CURRENT_PASSWORD: 'wrong_current_password',
  INVALID_VERIFICATION_STRING: 'invalid_verification_string',
  FEED_TOKEN_INVALID: 'feed_token_invalid',
  INVALID_IMAGE: 'invalid_image_file',
  ROUTE_NOT_FOUND: 'route_not_found',
  // Videos and uploads
  VIDEO_NOT_FOUND: 'video_not_found',
  NOT_VIDEO_OWNER: 'not_video_owner',
  VIDEO_NOT_ACCESSIBLE: 'video_not_accessible',
  INVALID_MEDIA_FILE: 'invalid_media_file',
  EMPTY_FILE: 'empty_file',
  UPLOAD_NOT_FOUND: 'upload_not_found',
  UPLOAD_RANGE_MISMATCH: 'upload_range_mismatch',
  UPLOAD_SIZE_MISMATCH: 'upload_size_mismatch',
  UPLOAD_INVALID_CONTENT_RANGE: 'upload_invalid_content_range',
  UPLOAD_CHUNK_TOO_LARGE: 'upload_chunk_too_large',
  UPLOAD_STILL_PROCESSING: 'upload_still_processing',
  VIDEO_PRIVACY_NOT_SUPPORTED: 'video_privacy_not_supported',
  VIDEO_FILE_TOKEN_INVALID: 'video_file_token_invalid',
  // Comments
  VIDEO_COMMENTS_DISABLED: 'video_comments_disabled',
  COMMENT_NOT_FOUND: 'video_comment_not_found',
  COMMENT_ALREADY_DELETED: 'video_comment_already_deleted',
  NOT_COMMENT_OWNER: 'not_video_comment_owner',
  COMMENT_NOT_HELD: 'video_comment_not_held_for_review',
  // Lives
  LIVE_ALREADY_STARTED: 'live_already_started',
  NOT_A_LIVE: 'video_is_not_a_live',
  // Runners
  RUNNER_JOB_NOT_FOUND: 'runner_job_not_found',
  RUNNER_JOB_TOKEN_INVALID: 'runner_job_token_invalid',
  RUNNER_REGISTRATION_TOKEN_INVALID: 'runner_registration_token_invalid',
  RUNNER_NOT_FOUND: 'runner_not_found',
  RUNNER_NAME_TAKEN: 'runner_name_already_exists',
  RUNNER_REGISTRATION_TOKEN_EMBEDDED: 'runner_registration_token_embedded',
  // Administration
  CANNOT_BLOCK_ROOT: 'cannot_block_root',
  SIGNUP_REQUIRES_APPROVAL: 'signup_requires_approval',
  SIGNUP_APPROVAL_NOT_ENABLED: 'signup_approval_not_enabled',
  REGISTRATION_NOT_FOUND: 'registration_not_found',
  REGISTRATION_ALREADY_MODERATED: 'registration_already_moderated',
  VIDEO_ALREADY_BLACKLISTED: 'video_already_blacklisted',
  VIDEO_NOT_BLACKLISTED: 'video_not_blacklisted',
  VIDEO_BLACKLISTED: 'video_blacklisted',
  CONTACT_FORM_DISABLED: 'contact_form_disabled',
  CONTACT_FORM_ALREADY_SENT: 'contact_form_already_sent',
  EMAIL_NOT_CONFIGURED: 'email_not_configured',
  // Federation
  AP_INVALID_SIGNATURE: 'activitypub_invalid_signature',
  AP_INVALID_ACTIVITY: 'activitypub_invalid_activity',
  AP_HOST_BLOCKED: 'activitypub_host_blocked',
  FOLLOW_NOT_FOUND: 'follow_not_found',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** Codes that PeerTube documents at this page; others are served with `type: about:blank`. */
export const PEERTUBE_ERROR_DOCS = 'https://docs.joinpeertube.org/api-rest-reference.html#section/Errors/';

/** RFC 7807 body as PeerTube sends it, plus the legacy `error` field older clients print. */
export interface ProblemJson {
  type: string;
  title: string;
  status: number;
  detail: string;
  code?: string;
  error: string;
  instance?: string;
  'invalid-params'?: Record<string, { location: string; msg: string; param: string; value?: unknown }>;
  correlationId?: string;
}
