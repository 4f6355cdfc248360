import type { ApiClient } from './http';
import type { ServerConfig } from './types';

export function getConfig(api: ApiClient): Promise<ServerConfig> {
  return api.get<ServerConfig>('/api/v1/config');
}

export interface ServerStats {
  totalUsers: number;
  totalLocalVideos: number;
  totalVideos: number;
  [key: string]: unknown;
}

export function getServerStats(api: ApiClient): Promise<ServerStats> {
  return api.get<ServerStats>('/api/v1/server/stats');
}

export interface ContactForm {
  fromName: string;
  fromEmail: string;
  subject: string;
  body: string;
}

/** PeerTube's contact form: a message to the instance's administrators (one per hour from an address). */
export function sendContactForm(api: ApiClient, form: ContactForm): Promise<void> {
  return api.request<void>('POST', '/api/v1/server/contact', { json: form });
}
