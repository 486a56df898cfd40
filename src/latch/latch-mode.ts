/** Where the latch agent runs. */
export enum LatchMode {
  /**
   * The agent runs as an extra container in every guarded pod and writes the
   * status file to an in-memory emptyDir the application containers mount
   * read-only. One poller per pod; lowest latency; each pod needs egress to the
   * Latch API.
   */
  SIDECAR = 'sidecar',
  /**
   * One latch master Deployment polls the API and publishes the status into a
   * ConfigMap; guarded pods mount it read-only and need no egress and no token.
   * One poller per latch; propagation bounded by the kubelet's ConfigMap sync.
   */
  HUB = 'hub',
}

/** What readers do when the status is missing, unreadable or stale. */
export enum FailurePolicy {
  /** Treat it as locked: the application disables itself (the default). */
  CLOSED = 'closed',
  /** Treat it as open: availability over protection. Choose it explicitly, knowingly. */
  OPEN = 'open',
}
