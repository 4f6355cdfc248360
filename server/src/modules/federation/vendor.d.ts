/** The parts of @peertube/http-signature (no bundled types) this module uses. */
declare module '@peertube/http-signature' {
  export interface SignableRequest {
    method: string;
    path: string;
    getHeader(name: string): string | undefined;
    setHeader(name: string, value: string): void;
  }
  export interface ParsedSignature {
    scheme: string;
    params: { keyId: string; algorithm: string; headers: string[]; signature: string; created?: number };
    signingString: string;
    algorithm: string;
    keyId: string;
  }
  export function signRequest(
    request: SignableRequest,
    options: { key: string; keyId: string; algorithm?: string; headers?: string[]; authorizationHeaderName?: string },
  ): boolean;
  export function parseRequest(
    request: { headers: Record<string, string | string[] | undefined>; method: string; url: string },
    options?: { headers?: string[]; clockSkew?: number; authorizationHeaderName?: string; strict?: boolean },
  ): ParsedSignature;
  export function verifySignature(parsed: ParsedSignature, publicKeyPem: string): boolean;
}

/** The part of jsonld (no bundled types) used for RsaSignature2017. */
declare module 'jsonld' {
  interface RemoteDocument {
    contextUrl: string | null;
    document: unknown;
    documentUrl: string;
  }
  const jsonld: {
    canonize(input: unknown, options: { algorithm: string; format: string; documentLoader: (url: string) => Promise<RemoteDocument>; safe?: boolean }): Promise<string>;
  };
  export default jsonld;
}
