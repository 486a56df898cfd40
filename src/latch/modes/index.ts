import { HUB_CONTRACT } from './hub';
import { LatchModeContract } from './mode-strategy';
import { SIDECAR_CONTRACT } from './sidecar';

/** Every latch mode, as readers of manifests know it (in the order the contract lists them). */
export const LATCH_MODES: readonly LatchModeContract[] = [SIDECAR_CONTRACT, HUB_CONTRACT];

/** The mode whose `superlatch.io/mode` annotation value is `name`, if any. */
export function latchModeNamed(name: string | undefined): LatchModeContract | undefined {
  return LATCH_MODES.find((m) => m.name === name);
}
