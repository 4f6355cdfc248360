export interface APImage {
  type: 'Image';
  mediaType: string;
  width: number;
  height: number;
  url: string;
}

export interface APPublicKey {
  id: string;
  owner: string;
  publicKeyPem: string;
}

/** Person (account), Group (channel) or Application (instance) as PeerTube emits them. */
export interface APActor {
  '@context'?: unknown;
  type: 'Person' | 'Group' | 'Application' | 'Service' | 'Organization';
  id: string;
  following: string;
  followers: string;
  playlists?: string;
  inbox: string;
  outbox: string;
  preferredUsername: string;
  url: string | Array<{ type: 'Link'; mediaType: string; href: string }>;
  name: string;
  endpoints: { sharedInbox: string };
  publicKey: APPublicKey;
  published: string;
  summary: string | null;
  icon?: APImage[];
  image?: APImage[];
  attributedTo?: Array<{ type: 'Person'; id: string }>;
  support?: string | null;
  postingRestrictedToMods?: boolean;
  indexable?: boolean;
  discoverable?: boolean;
}

export interface WebFingerResponse {
  subject: string;
  aliases: string[];
  links: Array<{ rel: string; type?: string; href?: string; template?: string }>;
}
