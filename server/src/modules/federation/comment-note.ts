import { AP_BASE_CONTEXT } from '@flotilla/shared';
import type { CommentFederationRow } from '../comments';
import { AP_PUBLIC } from './ap-constants';

/** The Note's extra terms (activitypub.md §9: pt:replyApproval). */
export const AP_NOTE_CONTEXT = [...AP_BASE_CONTEXT, { pt: 'https://joinpeertube.org/ns#', replyApproval: 'pt:replyApproval' }];

export interface MentionTag {
  type: 'Mention';
  href: string;
  name: string;
}

const iso = (d: Date | string) => new Date(d).toISOString();

/**
 * A comment as PeerTube's Note (§5): markdown content, inReplyTo the video or the parent comment,
 * public, cc the author's followers. A deleted comment is a Tombstone.
 */
export function buildNote(c: CommentFederationRow, mentions: MentionTag[], withContext = true): Record<string, unknown> {
  const inReplyTo = c.parent_url ?? c.video_url;
  if (c.deleted_at) {
    return {
      ...(withContext ? { '@context': AP_BASE_CONTEXT } : {}),
      id: c.url,
      type: 'Tombstone',
      formerType: 'Note',
      inReplyTo,
      published: iso(c.created_at),
      updated: iso(c.updated_at),
      deleted: iso(c.deleted_at),
    };
  }
  return {
    ...(withContext ? { '@context': AP_NOTE_CONTEXT } : {}),
    type: 'Note',
    id: c.url,
    url: c.url,
    content: c.text,
    mediaType: 'text/markdown',
    inReplyTo,
    updated: iso(c.updated_at),
    published: iso(c.created_at),
    attributedTo: c.author_actor_url,
    tag: mentions,
    replyApproval: c.reply_approval,
    to: [AP_PUBLIC],
    cc: [`${c.author_actor_url}/followers`],
  };
}

/** The Create of a Note (id `<comment>/activity`), with the Note's audience. */
export function createNoteActivity(note: Record<string, unknown>): Record<string, unknown> {
  const { '@context': context, ...object } = note;
  return { '@context': context ?? AP_NOTE_CONTEXT, id: `${note.id as string}/activity`, type: 'Create', actor: note.attributedTo, object, to: note.to, cc: note.cc };
}
