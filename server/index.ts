/** The PostgreSQL wire-protocol server (`keel serve`): what other folders may use. */
export { PgServer, SERVER_VERSION, DEFAULT_HOST, DEFAULT_PORT, DEFAULT_MAX_CONNECTIONS, type ServeOptions } from './server.js';
export { WorkloadQueue, bypassesQueue, type WlmOptions } from './wlm.js';
export type { QueryHost, OpenSession } from './connection.js';
export { AUTH_METHODS, type AuthMethod } from './auth.js';
export { md5Response } from './auth.js';
