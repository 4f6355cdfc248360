import {
  applyDecorators,
  CanActivate,
  createParamDecorator,
  ExecutionContext,
  Injectable,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Request } from 'express';
import { ErrorCode } from '@flotilla/shared';
import { forbidden, unauthorized } from '../../common/app-error';
import { hasRight, type UserRight } from '../../common/rights';
import { AuthService, type AuthContext } from './auth.service';

const AUTH_META = 'flotilla:auth';
interface AuthMeta {
  optional: boolean;
  right?: UserRight;
}

export type AuthedRequest = Request & { auth?: AuthContext };

export function bearerToken(req: Request): string | null {
  const header = req.headers.authorization;
  if (!header) return null;
  const m = /^Bearer\s+(\S+)$/i.exec(header);
  return m ? m[1] : null;
}

@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly auth: AuthService,
    private readonly reflector: Reflector,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const meta = this.reflector.getAllAndOverride<AuthMeta | undefined>(AUTH_META, [ctx.getHandler(), ctx.getClass()]);
    if (!meta) return true;
    const req = ctx.switchToHttp().getRequest<AuthedRequest>();
    const token = bearerToken(req);
    if (!token) {
      if (meta.optional) return true;
      throw unauthorized('Authentication required: send an OAuth bearer token', ErrorCode.UNAUTHORIZED);
    }
    req.auth = await this.auth.authenticate(token);
    if (meta.right && !hasRight(req.auth.user.role, meta.right)) {
      throw forbidden('You do not have the right to do this', ErrorCode.INSUFFICIENT_ROLE);
    }
    return true;
  }
}

/** The route needs a valid bearer token (and, when given, a right of the user's role). */
export const Authenticated = (right?: UserRight) =>
  applyDecorators(SetMetadata(AUTH_META, { optional: false, right } satisfies AuthMeta), UseGuards(AuthGuard));

/** A token widens what the route shows but is not required; a bad token is still a 401. */
export const OptionalAuth = () =>
  applyDecorators(SetMetadata(AUTH_META, { optional: true } satisfies AuthMeta), UseGuards(AuthGuard));

/**
 * What a route asks of its caller, read from the metadata `Authenticated` / `OptionalAuth` set
 * (the api-docs module documents it): `null` when the route is public.
 */
export function routeAuthRequirement(handler: object, controller: object): { optional: boolean; right?: UserRight } | null {
  const meta =
    (Reflect.getMetadata(AUTH_META, handler) as AuthMeta | undefined) ?? (Reflect.getMetadata(AUTH_META, controller) as AuthMeta | undefined);
  return meta ? { optional: meta.optional, right: meta.right } : null;
}

/** The authenticated context (undefined under OptionalAuth without a token). */
export const Auth = createParamDecorator((_: unknown, ctx: ExecutionContext) => ctx.switchToHttp().getRequest<AuthedRequest>().auth);
