import { ApiClient } from '../api/http';

/** The browser's one API client (same origin). */
export const api = new ApiClient('');
