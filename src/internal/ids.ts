/**
 * The uid/gid floor of the hardened profile: user, group and fsGroup ids must
 * be above it (ids at or below it may collide with users of the node and of
 * images), unless `Relaxation.lowIds` says otherwise. Written once: the profile
 * options, the rules (SL-HARD-2, SL-HARD-25) and the latch's agent user read it.
 */
export const ID_FLOOR = 10000;
