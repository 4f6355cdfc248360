// auth's public surface for other modules: the route guards and what they read.
export { Auth, Authenticated, AuthGuard, OptionalAuth, bearerToken, routeAuthRequirement, type AuthedRequest } from './auth.guard';
export type { AuthContext } from './auth.service';
