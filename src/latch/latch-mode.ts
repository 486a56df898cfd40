import { HubMode, LatchHubProps } from './modes/hub';
import type { LatchModeStrategy } from './modes/mode-strategy';
import { SidecarMode } from './modes/sidecar';

export type { LatchHubProps } from './modes/hub';

/**
 * Where the latch agent runs: in every guarded pod (`LatchMode.sidecar()`) or in
 * one latch master that publishes the status into a ConfigMap (`LatchMode.hub()`).
 */
export class LatchMode {
  /**
   * The agent runs as an extra container in every guarded pod and writes the
   * status file to an in-memory emptyDir the application containers mount
   * read-only. One poller per pod; lowest latency; each pod needs egress to the
   * Latch API.
   */
  public static sidecar(): LatchMode {
    return new LatchMode(new SidecarMode());
  }

  /**
   * One latch master Deployment polls the API and publishes the status into a
   * ConfigMap; guarded pods mount it read-only and need no egress and no token.
   * One poller per latch; propagation bounded by the kubelet's ConfigMap sync.
   */
  public static hub(props: LatchHubProps): LatchMode {
    return new LatchMode(new HubMode(props));
  }

  /**
   * The mode's name: the `superlatch.io/mode` annotation value of its pods,
   * `sidecar` (`SuperlatchKeys.MODE_SIDECAR`) or `hub` (`SuperlatchKeys.MODE_HUB`).
   */
  public readonly name: string;

  /**
   * What the mode does (pods, objects, egress, admission and Falco facts).
   * @internal
   */
  public readonly _strategy: LatchModeStrategy;

  private constructor(strategy: LatchModeStrategy) {
    this._strategy = strategy;
    this.name = strategy.contract.name;
  }
}
