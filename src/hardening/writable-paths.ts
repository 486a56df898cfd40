/**
 * Where containers may write: a read-only root filesystem (unless relaxed) and
 * /tmp as a small emptyDir. The latch's containers never mount the
 * application's shared `tmp` (a writable channel between them that nothing in
 * the agent or gate uses); they mount it only in a pod of latch containers
 * alone (the hub master).
 */
import { RelaxationName } from './relaxation';
import { IsRelaxed, WorkloadUnderHardening } from './workload';

/** `readOnlyRootFilesystem: true` unless the workload says false (SL-HARD-5 refuses that) or the profile relaxes it. */
export function applyReadOnlyRoot(w: WorkloadUnderHardening, c: any, scPath: string, isRelaxed: IsRelaxed): void {
  const sc = c.securityContext;
  if (isRelaxed(RelaxationName.WRITABLE_ROOT_FILESYSTEM)) {
    if (sc.readOnlyRootFilesystem === true) w.kept.push(`${scPath}.readOnlyRootFilesystem: true`);
    else sc.readOnlyRootFilesystem = false;
  } else if (sc.readOnlyRootFilesystem !== false) {
    sc.readOnlyRootFilesystem = true;
  }
}

/** /tmp mounted in every container that has no mount there, and the `tmp` emptyDir they share. */
export function applyTmp(w: WorkloadUnderHardening): void {
  const { spec, strict } = w;
  if (w.profile.tmpSizeLimit === undefined) return;
  const all: any[] = [...(spec.initContainers ?? []), ...(spec.containers ?? [])];
  const tmpShared = all.some((c) => !strict.has(c.name));
  let needsTmp = false;
  for (const c of all) {
    const ownTmp = !(strict.has(c.name) && tmpShared);
    if (ownTmp && !(c.volumeMounts ?? []).some((m: any) => m.mountPath === '/tmp' || m.mountPath === '/tmp/')) {
      c.volumeMounts = [...(c.volumeMounts ?? []), { name: 'tmp', mountPath: '/tmp' }];
      needsTmp = true;
    }
  }
  if (needsTmp) tmpVolume(w);
}

/** The `tmp` emptyDir; a volume of that name that is something else is a construction error. */
function tmpVolume(w: WorkloadUnderHardening): void {
  const volumes: any[] = w.spec.volumes ?? [];
  const existing = volumes.find((v) => v.name === 'tmp');
  if (existing && !existing.emptyDir) {
    w.refuse(w.at('spec.volumes'), "a volume named 'tmp' exists but is not an emptyDir, and the profile needs that name for /tmp", 'rename your volume, or mount your own volume at /tmp');
  } else if (!existing) {
    volumes.push({ name: 'tmp', emptyDir: { sizeLimit: w.profile.tmpSizeLimit } });
  }
  w.spec.volumes = volumes;
}
