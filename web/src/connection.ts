// Kept only so web/src/api.ts (being rewritten into lib/ as a typed client) needs no change meanwhile.
export { retryPending, setApiReachable } from './lib/connection.js';
