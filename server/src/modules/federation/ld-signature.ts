import { createHash, createSign, createVerify } from 'node:crypto';
import jsonld from 'jsonld';
import { LD_CONTEXTS } from './ld-contexts';

/**
 * RsaSignature2017 linked-data signatures (Mastodon's and PeerTube's, activitypub.md §7.3):
 * SHA-256 of the URDNA2015 N-Quads of the signature options, then of the document without its
 * signature, signed together with RSA-SHA256. Contexts come from the shipped copies only: a
 * document naming any other remote context cannot be checked.
 */
const documentLoader = async (url: string) => {
  const document = LD_CONTEXTS[url];
  if (!document) throw new Error(`JSON-LD context ${url} is not available offline`);
  return { contextUrl: null, document, documentUrl: url };
};

const OPTIONS_CONTEXT = ['https://w3id.org/security/v1', { RsaSignature2017: 'https://w3id.org/security#RsaSignature2017' }];

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

async function canonical(doc: unknown): Promise<string> {
  return jsonld.canonize(doc, { algorithm: 'URDNA2015', format: 'application/n-quads', documentLoader, safe: false });
}

async function toBeSigned(doc: Record<string, unknown>, signature: { creator: string; created: string }): Promise<string> {
  const options = { '@context': OPTIONS_CONTEXT, creator: signature.creator, created: signature.created };
  const rest = { ...doc };
  delete rest.signature;
  return sha256(await canonical(options)) + sha256(await canonical(rest));
}

export interface LdSignature {
  type: string;
  creator: string;
  created: string;
  signatureValue: string;
}

export function ldSignatureOf(doc: Record<string, unknown>): LdSignature | null {
  const s = doc.signature as Partial<LdSignature> | undefined;
  if (!s || typeof s !== 'object') return null;
  if (s.type !== 'RsaSignature2017' || typeof s.creator !== 'string' || typeof s.created !== 'string' || typeof s.signatureValue !== 'string') return null;
  return s as LdSignature;
}

/** Adds an RsaSignature2017 by `creator` (the actor URL, as PeerTube writes it). */
export async function signLd<T extends Record<string, unknown>>(input: T, creator: string, privateKeyPem: string): Promise<T & { signature: LdSignature }> {
  // What is signed is what goes on the wire: a key set to undefined (dropped by JSON) must not reach
  // jsonld, where an undefined nested `@context` resets the context and changes the signed data.
  const doc = JSON.parse(JSON.stringify(input)) as T;
  const created = new Date().toISOString();
  const data = await toBeSigned(doc, { creator, created });
  const signatureValue = createSign('RSA-SHA256').update(data).sign(privateKeyPem, 'base64');
  return { ...doc, signature: { type: 'RsaSignature2017', creator, created, signatureValue } };
}

/** True when the document's RsaSignature2017 verifies with this public key (false on anything unreadable). */
export async function verifyLd(doc: Record<string, unknown>, publicKeyPem: string): Promise<boolean> {
  const signature = ldSignatureOf(doc);
  if (!signature) return false;
  try {
    const data = await toBeSigned(doc, signature);
    return createVerify('RSA-SHA256').update(data).verify(publicKeyPem, signature.signatureValue, 'base64');
  } catch {
    return false;
  }
}
