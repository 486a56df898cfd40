/** What readers do when the status is missing, unreadable or stale. */
export enum FailurePolicy {
  /** Treat it as locked: the application disables itself (the default). */
  CLOSED = 'closed',
  /** Treat it as open: availability over protection. Choose it explicitly, knowingly. */
  OPEN = 'open',
}
