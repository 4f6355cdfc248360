// comments' public surface beside comments.service.ts: the plain types other modules read.
export type { CommentFederationRow, CommentRow } from './comments.repository';
export type { RemoteComment } from './comments.service';
export { mentionsOf, sanitizeRemoteHtml, type Mention } from './comment-text';
