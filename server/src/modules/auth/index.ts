/** The auth module's public surface for other modules' controllers. */
export { Auth, Authenticated } from './auth.guard';
