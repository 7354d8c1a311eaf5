/**
 * Who a session route's handler is told is asking (`RouteInput.actor`). The platform knows no
 * capability, so this starts empty: the capability that loads sessions names its actor by
 * augmenting it (auth/session.middleware.ts: `interface SessionActor extends Actor {}`), the
 * way capabilities add their queues to JobPayloads, and gives the ApiRouter the
 * `requireActor(req)` that returns one.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface SessionActor {}
