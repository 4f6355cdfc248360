/** What other modules' controllers use of auth: the route decorators and the caller's context. */
export { Auth, Authenticated, OptionalAuth } from './auth.guard';
export type { AuthContext } from './auth.service';
