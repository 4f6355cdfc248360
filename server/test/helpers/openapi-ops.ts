import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import yaml from 'js-yaml';
import { REPO_ROOT } from './test-server';

/** One operation of PeerTube's OpenAPI document, reduced to what the fuzz test varies. */
export interface FuzzOperation {
  method: 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';
  /** OpenAPI path template, e.g. /api/v1/videos/{id}. */
  path: string;
  pathParams: string[];
  queryParams: string[];
  /** Property names of the JSON or multipart body, when the operation takes one. */
  bodyFields: string[] | null;
  multipart: boolean;
}

type Node = Record<string, unknown>;

/** Follows local `$ref`s (`#/components/...`). */
function deref(doc: Node, node: unknown, depth = 0): Node {
  let n = node as Node;
  while (n && typeof n.$ref === 'string' && depth++ < 20) {
    n = (n.$ref as string).slice(2).split('/').reduce<Node>((acc, k) => acc?.[k] as Node, doc);
  }
  return n ?? {};
}

/** Property names of a schema, through `allOf`/`oneOf`/`anyOf`. */
function propertyNames(doc: Node, schema: unknown, depth = 0): string[] {
  const s = deref(doc, schema);
  if (depth > 5) return [];
  const names = Object.keys((s.properties as Node | undefined) ?? {});
  for (const k of ['allOf', 'oneOf', 'anyOf']) {
    for (const sub of (s[k] as unknown[] | undefined) ?? []) names.push(...propertyNames(doc, sub, depth + 1));
  }
  return [...new Set(names)];
}

const METHODS = ['get', 'post', 'put', 'delete', 'patch'] as const;

/** Every operation of the document under /api/v1 (the REST API the server implements part of). */
export function loadOperations(): FuzzOperation[] {
  const doc = yaml.load(readFileSync(join(REPO_ROOT, 'server/test/fixtures/peertube-openapi.yaml'), 'utf8')) as Node;
  const ops: FuzzOperation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Record<string, Node>)) {
    if (!path.startsWith('/api/v1/')) continue;
    for (const m of METHODS) {
      const op = item[m] as Node | undefined;
      if (!op) continue;
      const params = [...((item.parameters as unknown[]) ?? []), ...((op.parameters as unknown[]) ?? [])].map((p) => deref(doc, p));
      const content = (deref(doc, op.requestBody).content as Record<string, Node> | undefined) ?? {};
      const media = content['application/json'] ?? content['multipart/form-data'] ?? content['application/x-www-form-urlencoded'];
      ops.push({
        method: m.toUpperCase() as FuzzOperation['method'],
        path,
        pathParams: [...path.matchAll(/\{([^}]+)\}/g)].map((x) => x[1]),
        queryParams: params.filter((p) => p.in === 'query').map((p) => String(p.name)),
        bodyFields: media ? propertyNames(doc, media.schema) : null,
        multipart: 'multipart/form-data' in content,
      });
    }
  }
  return ops;
}
