/**
 * The socket.io rooms the gateway joins every authenticated socket to, by name. Features push events to these
 * (and to rooms of their own, e.g. `chat:{id}`) and name them when registering socket reactions.
 */
export const Rooms = {
  /** Every socket of one user, whichever organization it acts for. */
  user: (userId: string) => `user:${userId}`,
  /** Every socket acting for one organization. */
  organization: (organizationId: string) => `org:${organizationId}`,
  /** The sockets of one user acting for one organization: a user's events for that organization go here. */
  member: (organizationId: string, userId: string) => `member:${organizationId}:${userId}`,
  /** The sockets opened with one session's tokens. */
  session: (sessionId: string) => `session:${sessionId}`,
} as const;
