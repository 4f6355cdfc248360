import { Validator } from '@seriousme/openapi-schema-validator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestServer } from './helpers/test-server';

type Doc = { openapi: string; paths: Record<string, Record<string, any>> };
const HTTP_METHODS = ['get', 'post', 'put', 'delete', 'patch', 'head', 'options'];

/**
 * The routes Nest registered with Express, as it logs each one at debug level while mounting it
 * ("Mapped {/api/v1/videos/:id, GET} route"): the list the document is compared against.
 */
function servedRoutes(output: string): Array<{ method: string; path: string }> {
  // eslint-disable-next-line no-control-regex
  const plain = output.replace(/\u001b\[[0-9;]*m/g, '');
  return [...plain.matchAll(/Mapped \{([^,]+), ([A-Z]+)\}(?: \(version: [^)]*\))? route/g)].map((m) => ({ path: m[1], method: m[2].toLowerCase() }));
}

const openApiPath = (p: string) => p.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');

/** Served /api routes the document leaves out, as `METHOD path`. */
function missingFromDoc(doc: Doc, served: Array<{ method: string; path: string }>): string[] {
  return served
    .filter((r) => r.path.startsWith('/api/'))
    .filter((r) => !doc.paths[openApiPath(r.path)]?.[r.method])
    .map((r) => `${r.method.toUpperCase()} ${r.path}`);
}

describe('OpenAPI document built from the routes', () => {
  let server: TestServer;
  let doc: Doc;
  let served: Array<{ method: string; path: string }>;

  beforeAll(async () => {
    server = await TestServer.start({ log: { level: 'debug' }, transcoding: { enabled: false } });
    served = servedRoutes(server.output);
    const res = await fetch(`${server.url}/api/v1/openapi.json`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    doc = (await res.json()) as Doc;
  });
  afterAll(async () => server?.stop());

  it('is a valid OpenAPI 3.1 document whose operations have unique ids and declared path parameters', async () => {
    expect(doc.openapi).toBe('3.1.0');
    const result = await new Validator().validate(doc as unknown as Record<string, unknown>);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    const ids = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      const templated = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries(item)) {
        expect(HTTP_METHODS).toContain(method);
        expect(ids.has(op.operationId), `duplicate operationId ${op.operationId}`).toBe(false);
        ids.add(op.operationId);
        const declared = (op.parameters as Array<{ in: string; name: string; required: boolean }>).filter((p) => p.in === 'path');
        expect(declared.map((p) => p.name).sort(), `${method} ${path}`).toEqual(templated);
        expect(declared.every((p) => p.required)).toBe(true);
        expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      }
    }
  });

  it('lists every /api route Express serves, with its method, and nothing it does not serve', () => {
    const api = served.filter((r) => r.path.startsWith('/api/'));
    // The Nest log is the reference: if it went silent, the comparison below would prove nothing.
    expect(api.length).toBeGreaterThan(60);
    expect(api).toContainEqual({ method: 'get', path: '/api/v1/videos/:id' });
    expect(missingFromDoc(doc, served)).toEqual([]);

    const servedKeys = new Set(served.map((r) => `${r.method} ${openApiPath(r.path)}`));
    const extra = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`)).filter((k) => !servedKeys.has(k));
    expect(extra).toEqual([]);
  });

  it('the comparison fails when a served route is left out of the document', () => {
    const trimmed: Doc = JSON.parse(JSON.stringify(doc));
    delete trimmed.paths['/api/v1/videos/{id}'].get;
    delete trimmed.paths['/api/v1/users/token'];
    expect(missingFromDoc(trimmed, served).sort()).toEqual(['GET /api/v1/videos/:id', 'POST /api/v1/users/token']);
  });

  it('takes parameters and bodies from the zod schemas the routes validate with', () => {
    const list = doc.paths['/api/v1/videos'].get;
    const query = Object.fromEntries((list.parameters as any[]).filter((p) => p.in === 'query').map((p) => [p.name, p]));
    expect(query.start?.schema).toBeDefined();
    expect(query.count?.schema).toBeDefined();
    expect(query.sort?.schema).toBeDefined();

    const token = doc.paths['/api/v1/users/token'].post;
    const tokenBody = token.requestBody.content['application/json'].schema;
    expect(JSON.stringify(tokenBody)).toContain('grant_type');
    expect(token.security).toBeUndefined();

    const update = doc.paths['/api/v1/users/me'].put;
    expect(update.security).toEqual([{ OAuth2: [] }]);
    expect(Object.keys(update.requestBody.content['application/json'].schema.properties ?? {})).toContain('displayName');

    const upload = doc.paths['/api/v1/videos/upload'].post;
    expect(Object.keys(upload.requestBody.content)).toEqual(['application/json', 'multipart/form-data']);
    expect(upload.requestBody.content['multipart/form-data'].schema.required).toContain('name');
    expect(Object.keys(upload.requestBody.content['multipart/form-data'].schema.properties)).toContain('channelId');

    const jobs = doc.paths['/api/v1/jobs/{state}'].get;
    expect(jobs['x-flotilla-right']).toBeDefined();
    const state = (jobs.parameters as any[]).find((p) => p.in === 'path' && p.name === 'state');
    expect(JSON.stringify(state.schema)).toContain('completed');

    // Optional authentication reads as "anonymous or a token".
    expect(doc.paths['/api/v1/videos/{id}'].get.security).toEqual([{}, { OAuth2: [] }]);

    // PeerTube's latency modes plus Flotilla's low-latency one, documented where it is accepted.
    for (const [path, method] of [['/api/v1/videos/live', 'post'], ['/api/v1/videos/live/{id}', 'put']] as const) {
      const latency = doc.paths[path][method].requestBody.content['application/json'].schema.properties.latencyMode;
      expect(latency.enum, path).toEqual([1, 2, 3, 100]);
      expect(latency.description, path).toMatch(/100 Flotilla's low-latency mode: LL-HLS/);
    }
  });

  it('answers other methods on the document with a problem, not a 500', async () => {
    const res = await fetch(`${server.url}/api/v1/openapi.json`, { method: 'POST' });
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  });
});
