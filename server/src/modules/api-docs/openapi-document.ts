import { toJSONSchema, type ZodType } from 'zod';
import type { CatalogRoute, RouteArg } from './route-catalog';

type JsonSchema = Record<string, unknown>;

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string; description?: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, unknown>>;
  components: Record<string, unknown>;
}

/** What a route asks of its caller (see auth's `routeAuthRequirement`); null when public. */
export type AuthRequirement = { optional: boolean; right?: string } | null;

/** Input side of a zod schema as JSON Schema 2020-12 (OpenAPI 3.1's dialect); transforms become `{}`. */
export function jsonSchemaOf(schema: ZodType): JsonSchema {
  const js = toJSONSchema(schema, { io: 'input', unrepresentable: 'any', target: 'draft-2020-12' }) as JsonSchema;
  delete js.$schema;
  return js;
}

/** `/api/v1/videos/:id` → `/api/v1/videos/{id}` (Express 5 named parameters and wildcards). */
export function openApiPath(expressPath: string): string {
  return expressPath.replace(/[:*]([A-Za-z_$][\w$]*)/g, '{$1}');
}

/** The object properties of a schema (a query or params object), through a top-level intersection. */
function objectProperties(js: JsonSchema): { properties: Record<string, JsonSchema>; required: Set<string> } {
  const properties: Record<string, JsonSchema> = {};
  const required = new Set<string>();
  const visit = (s: JsonSchema) => {
    Object.assign(properties, (s.properties as Record<string, JsonSchema> | undefined) ?? {});
    for (const r of (s.required as string[] | undefined) ?? []) required.add(r);
    for (const sub of (s.allOf as JsonSchema[] | undefined) ?? []) visit(sub);
  };
  visit(js);
  return { properties, required };
}

function parametersOf(route: CatalogRoute, path: string): unknown[] {
  const params: unknown[] = [];
  const pathNames = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const pathSchemas: Record<string, JsonSchema> = {};
  const queries = new Map<string, { schema: JsonSchema; required: boolean }>();
  const describe = (arg: RouteArg) => {
    if (arg.source === 'body') return;
    const js = arg.schema ? jsonSchemaOf(arg.schema) : { type: 'string' };
    if (arg.key) {
      if (arg.source === 'params') pathSchemas[arg.key] = js;
      else queries.set(arg.key, { schema: js, required: false });
      return;
    }
    const { properties, required } = objectProperties(js);
    for (const [name, schema] of Object.entries(properties)) {
      if (arg.source === 'params') pathSchemas[name] = schema;
      else queries.set(name, { schema, required: required.has(name) });
    }
  };
  route.args.forEach(describe);
  for (const name of pathNames) params.push({ name, in: 'path', required: true, schema: pathSchemas[name] ?? { type: 'string' } });
  for (const [name, q] of queries) params.push({ name, in: 'query', required: q.required, schema: q.schema });
  return params;
}

function requestBodyOf(route: CatalogRoute): unknown {
  const bodies = route.args.filter((a) => a.source === 'body');
  if (bodies.length === 0) return undefined;
  const whole = bodies.find((b) => !b.key && b.schema);
  let schema: JsonSchema;
  if (whole?.schema) {
    schema = jsonSchemaOf(whole.schema);
  } else {
    const properties: Record<string, JsonSchema> = {};
    for (const b of bodies) if (b.key) properties[b.key] = b.schema ? jsonSchemaOf(b.schema) : {};
    schema = { type: 'object', properties };
  }
  const content: Record<string, unknown> = { 'application/json': { schema } };
  // multer's interceptors read multipart bodies and let JSON through: both are accepted.
  if (route.intercepted) content['multipart/form-data'] = { schema };
  return { required: true, content };
}

function successStatus(route: CatalogRoute): string {
  if (route.httpCode) return String(route.httpCode);
  return route.method === 'post' ? '201' : '200';
}

/**
 * The OpenAPI 3.1 document of the routes in `routes`: paths and methods as Nest serves them,
 * parameters and bodies from the zod schemas the routes validate with.
 */
export function buildOpenApiDocument(
  routes: CatalogRoute[],
  info: { title: string; version: string; serverUrl: string },
  authOf: (route: CatalogRoute) => AuthRequirement,
): OpenApiDocument {
  const paths: OpenApiDocument['paths'] = {};
  const seen = new Set<string>();
  const ids = new Map<string, number>();
  // One handler may serve several paths (`@Get(['accounts/:name', 'a/:name'])`): ids stay unique.
  const operationId = (base: string) => {
    const n = (ids.get(base) ?? 0) + 1;
    ids.set(base, n);
    return n === 1 ? base : `${base}_${n}`;
  };
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path) || a.method.localeCompare(b.method))) {
    const path = openApiPath(route.path);
    const key = `${route.method} ${path}`;
    if (seen.has(key)) continue; // Express serves the first one registered
    seen.add(key);
    const auth = authOf(route);
    const operation: Record<string, unknown> = {
      operationId: operationId(`${route.controller}.${route.handlerName}`),
      tags: [route.controller.replace(/Controller$/, '')],
      parameters: parametersOf(route, path),
      responses: {
        [successStatus(route)]: { description: 'Success' },
        default: { description: 'An error', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
    };
    const body = requestBodyOf(route);
    if (body) operation.requestBody = body;
    if (auth) {
      operation.security = auth.optional ? [{}, { OAuth2: [] }] : [{ OAuth2: [] }];
      if (auth.right) operation['x-flotilla-right'] = auth.right;
    }
    (paths[path] ??= {})[route.method] = operation;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: info.title,
      version: info.version,
      description: 'Generated at run time from the routes the server registers and the zod schemas they validate with.',
    },
    servers: [{ url: info.serverUrl }],
    paths,
    components: {
      securitySchemes: {
        OAuth2: {
          type: 'oauth2',
          flows: { password: { tokenUrl: '/api/v1/users/token', scopes: {} } },
        },
      },
      schemas: {
        Problem: {
          type: 'object',
          properties: {
            type: { type: 'string' },
            title: { type: 'string' },
            status: { type: 'integer' },
            detail: { type: 'string' },
            code: { type: 'string' },
          },
        },
      },
    },
  };
}
