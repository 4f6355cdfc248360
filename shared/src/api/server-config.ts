/**
 * GET /api/v1/config: the parts Flotilla's client reads (the server sends PeerTube's whole object,
 * rest-api-core §12). The server's builder is checked against it.
 */
export interface ServerConfig {
  serverVersion: string;
  serverCommit?: string;
  instance: {
    name: string;
    shortDescription: string;
    isNSFW?: boolean;
    defaultNSFWPolicy?: string;
    defaultClientRoute?: string;
    [key: string]: unknown;
  };
  client?: {
    videos?: { resumableUpload?: { maxChunkSize?: number }; [key: string]: unknown };
    [key: string]: unknown;
  };
  defaults?: {
    publish?: { downloadEnabled?: boolean; commentsPolicy?: number; privacy?: number; licence?: number | null; [key: string]: unknown };
    p2p?: { webapp?: { enabled?: boolean }; embed?: { enabled?: boolean } };
    [key: string]: unknown;
  };
  signup: {
    allowed: boolean;
    allowedForCurrentIP: boolean;
    requiresEmailVerification: boolean;
    requiresApproval?: boolean;
    minimumAge?: number;
  };
  transcoding?: {
    hls?: { enabled: boolean };
    web_videos?: { enabled: boolean };
    enabledResolutions?: number[];
    remoteRunners?: { enabled: boolean };
    [key: string]: unknown;
  };
  video?: {
    image?: { size?: { max: number }; extensions?: string[] };
    file?: { extensions?: string[] };
  };
  user?: { videoQuota: number; videoQuotaDaily: number };
  tracker?: { enabled: boolean };
  /** True when the server can send mail (smtp.hostname set). */
  email?: { enabled: boolean };
  /** The about page's contact form is offered (it also needs `email.enabled`). */
  contactForm?: { enabled: boolean };
  webrtc?: { stunServers?: string[] };
  views?: { videos?: { watchingInterval?: { anonymous?: number; users?: number }; [key: string]: unknown } };
  fieldsConstraints?: { users?: { password?: { minLength: number; maxLength: number } } };
  [key: string]: unknown;
}
