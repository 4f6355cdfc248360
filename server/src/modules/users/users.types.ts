/**
 * The user a request is made by (`AuthContext.user`): plain values read once per request from the
 * token's user row. No model instance: whoever needs to change the user loads it in `users`.
 */
export interface AuthUser {
  id: number;
  username: string;
  email: string;
  role: number;
  blocked: boolean;
  videoQuota: number;
  videoQuotaDaily: number;
  nsfwPolicy: string;
}
