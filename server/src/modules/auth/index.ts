/** What other modules use of auth: the route guards and the request's auth context. */
export { Auth, Authenticated, OptionalAuth } from './auth.guard';
export type { AuthContext } from './auth.service';
