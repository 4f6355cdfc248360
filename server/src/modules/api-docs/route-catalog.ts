import { Injectable } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA, ROUTE_ARGS_METADATA, INTERCEPTORS_METADATA, HTTP_CODE_METADATA } from '@nestjs/common/constants.js';
import { RequestMethod } from '@nestjs/common';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum.js';
import { DiscoveryService, MetadataScanner } from '@nestjs/core';
import type { ZodType } from 'zod';
import { ZodPipe } from '../../common/zod.pipe';

/** Where a validated route argument comes from. */
export type ArgSource = 'body' | 'query' | 'params';

/** One route argument: its source, the single key it reads (`@Param('name')`), the zod schema its pipe parses. */
export interface RouteArg {
  source: ArgSource;
  key?: string;
  schema?: ZodType;
}

/** One route as Nest registers it with Express. */
export interface CatalogRoute {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch' | 'head' | 'options';
  /** Express path, e.g. `/api/v1/videos/:id`. */
  path: string;
  controller: string;
  handlerName: string;
  handler: object;
  controllerType: object;
  args: RouteArg[];
  /** `@HttpCode(...)`, when the route sets one. */
  httpCode?: number;
  /** The route runs interceptors (multer ones take multipart bodies as well as JSON). */
  intercepted: boolean;
}

const METHODS: Partial<Record<RequestMethod, CatalogRoute['method']>> = {
  [RequestMethod.GET]: 'get',
  [RequestMethod.POST]: 'post',
  [RequestMethod.PUT]: 'put',
  [RequestMethod.DELETE]: 'delete',
  [RequestMethod.PATCH]: 'patch',
  [RequestMethod.HEAD]: 'head',
  [RequestMethod.OPTIONS]: 'options',
};

const SOURCES: Partial<Record<number, ArgSource>> = {
  [RouteParamtypes.BODY]: 'body',
  [RouteParamtypes.QUERY]: 'query',
  [RouteParamtypes.PARAM]: 'params',
};

function joinPath(...parts: string[]): string {
  const joined = '/' + parts.filter((p) => p && p !== '/').join('/');
  return joined.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
}

const asList = (v: unknown): string[] => (Array.isArray(v) ? (v as string[]) : [typeof v === 'string' ? v : '/']);

/**
 * Every route of every controller Nest knows, read from the same metadata Nest's router reads
 * (controller and method paths, HTTP method, the pipes of each argument). The zod schemas are the
 * ones the routes validate with: nothing is declared twice.
 */
@Injectable()
export class RouteCatalog {
  constructor(
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  routes(): CatalogRoute[] {
    const out: CatalogRoute[] = [];
    for (const wrapper of this.discovery.getControllers()) {
      const type = wrapper.metatype as (new (...a: never[]) => object) | null;
      if (!type) continue;
      const prefixes = asList(Reflect.getMetadata(PATH_METADATA, type));
      const proto = type.prototype as Record<string, unknown>;
      for (const name of this.scanner.getAllMethodNames(proto)) {
        const handler = proto[name] as object;
        const requestMethod = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
        const routePath = Reflect.getMetadata(PATH_METADATA, handler) as string | string[] | undefined;
        if (requestMethod === undefined || routePath === undefined) continue;
        const method = METHODS[requestMethod];
        if (!method) continue;
        const args = this.args(type, name);
        const httpCode = Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined;
        const interceptors = (Reflect.getMetadata(INTERCEPTORS_METADATA, handler) as unknown[] | undefined) ?? [];
        for (const prefix of prefixes) {
          for (const sub of asList(routePath)) {
            out.push({
              method,
              path: joinPath(prefix, sub),
              controller: type.name,
              handlerName: name,
              handler,
              controllerType: type,
              args,
              httpCode,
              intercepted: interceptors.length > 0,
            });
          }
        }
      }
    }
    return out;
  }

  private args(type: object, name: string): RouteArg[] {
    const meta = (Reflect.getMetadata(ROUTE_ARGS_METADATA, type, name) ?? {}) as Record<string, { data?: unknown; pipes?: unknown[] }>;
    const args: RouteArg[] = [];
    for (const [key, arg] of Object.entries(meta)) {
      const source = SOURCES[Number(key.split(':')[0])];
      if (!source) continue; // @Req, @Res, custom decorators such as @Auth
      const pipe = (arg.pipes ?? []).find((p): p is ZodPipe<unknown> => p instanceof ZodPipe);
      args.push({ source, key: typeof arg.data === 'string' ? arg.data : undefined, schema: pipe?.schema as ZodType | undefined });
    }
    return args;
  }
}
