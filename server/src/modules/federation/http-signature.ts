import { createHash } from 'node:crypto';
import * as httpSignature from '@peertube/http-signature';
import type { ParsedSignature } from '@peertube/http-signature';

/** PeerTube's figures (activitypub.md §7). */
export const HTTP_SIGNATURE = {
  ALGORITHM: 'rsa-sha256',
  CLOCK_SKEW_SECONDS: 1800,
  POST_HEADERS: ['(request-target)', 'host', 'date', 'digest'],
  GET_HEADERS: ['(request-target)', 'host', 'date'],
} as const;

/** `SHA-256=` + base64 of the SHA-256 of the exact body bytes. */
export function digestHeader(body: Buffer | string): string {
  return `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
}

export interface SigningKey {
  /** `<actor url>#main-key` */
  keyId: string;
  privateKeyPem: string;
}

/**
 * Headers of a signed request, draft-cavage as PeerTube sends them: `Signature` over
 * `(request-target) host date digest` for POSTs (`(request-target) host date` for GETs).
 */
export function signedHeaders(method: 'GET' | 'POST', url: string, key: SigningKey, body?: string): Record<string, string> {
  const target = new URL(url);
  const headers: Record<string, string> = {
    host: target.host,
    date: new Date().toUTCString(),
  };
  if (method === 'POST') headers.digest = digestHeader(body ?? '');
  const request = {
    method,
    path: target.pathname + target.search,
    getHeader: (name: string) => headers[name.toLowerCase()],
    setHeader: (name: string, value: string) => {
      headers[name.toLowerCase()] = value;
    },
  };
  httpSignature.signRequest(request, {
    key: key.privateKeyPem,
    keyId: key.keyId,
    algorithm: HTTP_SIGNATURE.ALGORITHM,
    headers: [...(method === 'POST' ? HTTP_SIGNATURE.POST_HEADERS : HTTP_SIGNATURE.GET_HEADERS)],
    authorizationHeaderName: 'Signature',
  });
  return headers;
}

export class SignatureError extends Error {}

/**
 * Parses an incoming request's `Signature` header with PeerTube's rules: draft version only,
 * `(request-target)`, `host` (and `digest` for POSTs) signed, with `date` or `(created)`, within
 * 1800 s. Throws SignatureError naming what is wrong.
 */
export function parseIncomingSignature(req: {
  headers: Record<string, string | string[] | undefined>;
  method: string;
  originalUrl: string;
}): ParsedSignature {
  const headers = { ...req.headers };
  const raw = headers.signature;
  if (typeof raw !== 'string' || raw.length === 0) throw new SignatureError('Missing signature header');
  // A legacy "Signature " prefix inside the value is stripped (PeerTube does the same).
  if (raw.startsWith('Signature ')) headers.signature = raw.slice('Signature '.length);
  const required = req.method === 'POST' ? ['(request-target)', 'host', 'digest'] : ['(request-target)', 'host'];
  let parsed: ParsedSignature;
  try {
    parsed = httpSignature.parseRequest(
      { headers, method: req.method, url: req.originalUrl },
      { headers: required, clockSkew: HTTP_SIGNATURE.CLOCK_SKEW_SECONDS, authorizationHeaderName: 'signature' },
    );
  } catch (err) {
    throw new SignatureError((err as Error).message);
  }
  const signed = parsed.params.headers;
  if (!signed.includes('date') && !signed.includes('(created)')) throw new SignatureError('date or (created) must be signed');
  if (parsed.params.created === undefined && typeof headers.date !== 'string') throw new SignatureError('missing date header');
  return parsed;
}

/** The actor URL a keyId names: the part before `#`. */
export function actorUrlOfKeyId(keyId: string): string {
  return keyId.split('#')[0];
}

export function verifyParsedSignature(parsed: ParsedSignature, publicKeyPem: string): boolean {
  try {
    return httpSignature.verifySignature(parsed, publicKeyPem);
  } catch {
    return false;
  }
}
