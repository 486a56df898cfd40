import { Chart } from 'cdk8s';
import { Construct, IConstruct } from 'constructs';
import type { ConfigMap } from 'kubernetes-types/core/v1';
import type * as Yaml from 'yaml';
import { falcoDocument } from './falco-document';
import { latchWorkloads, processName } from './falco-model';
import { SuperlatchKeys } from '../contract';
import { isWorkload } from '../hardening/pod-hardening';
import { emit } from '../internal/manifest';
import { MANAGED_BY } from '../internal/objects';
import { PipelineRun, Stage, SynthesisPipeline } from '../internal/pipeline';
import { checkCidr, checkDnsLabel } from '../internal/validation';

/**
 * The processes a container is expected to run. Manifests name images, not
 * binaries, so what runs in a container is known only when its `command` is
 * set; declare the rest here.
 */
export interface ExpectedProcesses {
  /** The container name. */
  readonly container: string;

  /**
   * Process names as Falco's `proc.name` shows them: the executable's file
   * name, cut to 15 characters by Linux (`/usr/local/bin/web-server` -> `web-server`).
   */
  readonly processNames: string[];

  /**
   * Only for this workload (its object name or `app.kubernetes.io/name`).
   * @default - every latch workload with a container of that name
   */
  readonly workload?: string;
}

/** Options of the Falco rules. */
export interface FalcoRulesProps {
  /**
   * Name of the ConfigMap.
   * @default "superlatch-falco-rules"
   */
  readonly name?: string;

  /**
   * Namespace of the ConfigMap: Falco's, so that its DaemonSet can mount it.
   * @default "falco"
   */
  readonly namespace?: string;

  /**
   * The key of the rules file in the ConfigMap.
   * @default "superlatch-rules.yaml"
   */
  readonly fileName?: string;

  /**
   * Where the latch workloads are: every ApiObject of a workload kind under
   * these constructs is rendered (its final manifest) at synth.
   * @default - the chart this construct is in
   */
  readonly sources?: IConstruct[];

  /**
   * The processes each container runs (by name, any arguments). Without a
   * declaration, the entrypoint is the container's `command`, by name; the
   * latch containers (`superlatch.io/latch-containers`, the status writer; the
   * agent image's entrypoint when they set no command) and shell scripts are
   * allowed only with their exact command line. Exec probes and hooks are
   * always allowed with their exact command line (and a probe shell's plain
   * commands and children). For any other container with no command, only
   * shells are alerted on, and the container is listed in the rules file's header.
   * @default - derived as described
   */
  readonly expectedProcesses?: ExpectedProcesses[];

  /**
   * Networks a hub-mode guarded pod may connect to (pod, service and node
   * networks of the cluster, DNS), IPv4 and IPv6; anything else is an alert.
   * IPv4 networks also match as IPv4-mapped IPv6 addresses; loopback is never
   * an alert.
   * @default ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fd00::/8"]
   */
  readonly internalNetworks?: string[];

  /**
   * Addresses (CIDRs) of a node-local DNS cache (NodeLocal DNSCache listens on
   * 169.254.20.10) that a hub-mode guarded pod may query on port 53.
   * @default - the `ipBlock`s of NetworkPolicy egress rules under the sources
   * that allow only port 53 (a latch given `dns.nodeLocalDnsCidr`)
   */
  readonly nodeLocalDnsCidrs?: string[];
}

const DEFAULT_INTERNAL_NETWORKS = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fd00::/8'];

/** The ipBlocks of NetworkPolicy egress rules that allow port 53 only: a node-local DNS cache. */
function nodeLocalDnsOf(policies: any[]): string[] {
  const out = new Set<string>();
  for (const p of policies) {
    for (const rule of p?.spec?.egress ?? []) {
      const ports: any[] = rule.ports ?? [];
      if (ports.length === 0 || !ports.every((x) => x?.port === 53)) continue;
      for (const to of rule.to ?? []) if (typeof to?.ipBlock?.cidr === 'string') out.add(to.ipBlock.cidr);
    }
  }
  return [...out].sort();
}

/**
 * Falco rules derived from the final manifests of the latch workloads: a
 * ConfigMap (labelled `superlatch.io/rules: falco`) holding one rules file,
 * to mount at `/etc/falco/rules.d` or to pass as the Falco Helm chart's
 * `customRules` (`toYaml()`). For each latch pod it alerts on:
 *
 * - a write or write attempt on the status volume by any process but the
 *   latch agent's in the writer container (CRITICAL);
 * - a process other than the container's declared entrypoint, exactly its exec
 *   probes and hooks, or a shell when the entrypoint is unknown; any process
 *   with a terminal (ERROR);
 * - any process in a container the manifest does not declare, such as an
 *   ephemeral debug container (ERROR);
 * - a TCP listen or UDP bind on a port the container does not declare (WARNING);
 * - a process in a container started from an undeclared image (ERROR);
 * - in hub mode, a connection from a guarded pod outside the cluster networks
 *   and the node-local DNS cache (ERROR).
 *
 * Falco 0.37.0 or later (`k8s.pod.label[...]`; the file declares
 * `required_engine_version`). The conditions are tested against the field
 * registry of that Falco's libs; run `falco --validate <file>` against the
 * Falco version you deploy.
 */
export class FalcoRules extends Construct {
  /** Name of the ConfigMap. */
  public readonly configMapName: string;

  /** Namespace of the ConfigMap. */
  public readonly configMapNamespace: string;

  /** The key of the rules file in the ConfigMap. */
  public readonly fileName: string;

  private readonly props: FalcoRulesProps;

  constructor(scope: Construct, id: string, props: FalcoRulesProps = {}) {
    super(scope, id);
    const where = `[${this.node.path}]`;
    this.props = props;
    this.configMapName = props.name ?? 'superlatch-falco-rules';
    this.configMapNamespace = props.namespace ?? 'falco';
    this.fileName = props.fileName ?? 'superlatch-rules.yaml';
    checkDnsLabel(where, 'name', this.configMapName);
    checkDnsLabel(where, 'namespace', this.configMapNamespace);
    if (!/^[A-Za-z0-9][-A-Za-z0-9_.]*\.ya?ml$/.test(this.fileName)) {
      throw new Error(`${where}: fileName '${this.fileName}' is not a .yaml file name usable as a ConfigMap key. Fix: use e.g. 'superlatch-rules.yaml'`);
    }
    for (const cidr of props.internalNetworks ?? []) checkCidr(where, 'internalNetworks', cidr);
    for (const cidr of props.nodeLocalDnsCidrs ?? []) checkCidr(where, 'nodeLocalDnsCidrs', cidr);
    for (const d of props.expectedProcesses ?? []) {
      if (d.processNames.length === 0 || d.processNames.some((p) => !/^[A-Za-z0-9][-A-Za-z0-9_.+]*$/.test(processName(p)))) {
        throw new Error(`${where}: expectedProcesses for container '${d.container}' must list process names such as 'node' or 'nginx' (got ${JSON.stringify(d.processNames)})`);
      }
    }

    const configMap = emit<ConfigMap>(this, 'Resource', {
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: {
        name: this.configMapName,
        namespace: this.configMapNamespace,
        labels: { ...MANAGED_BY, [SuperlatchKeys.RULES_LABEL]: 'falco' },
      },
    });
    // derived from the other objects' final manifests, in the pipeline's last stage
    SynthesisPipeline.of(this).addTransform(configMap, Stage.DERIVED, (json, run) => ({ ...json, data: { [this.fileName]: this.rulesOf(run) } }));
  }

  /**
   * The rules file, derived from the final manifests of the sources' workloads
   * (the synthesis pipeline's result, as written). Call it once the app is
   * complete (e.g. to write Helm `customRules`); throws when the app does not synthesize.
   */
  public toYaml(): string {
    const run = SynthesisPipeline.of(this).result();
    if (run.errors.length > 0) throw new Error(`[${this.node.path}]: the app does not synthesize:\n${run.errors.join('\n')}`);
    return this.rulesOf(run);
  }

  private rulesOf(run: PipelineRun): string {
    const where = `[${this.node.path}]`;
    const sources = this.props.sources ?? [Chart.of(this)];
    const manifests = new Set<any>();
    const policies = new Set<any>();
    for (const source of sources) {
      // a source in another app has its own synthesis
      const own = source.node.root === this.node.root ? run : SynthesisPipeline.of(source).result();
      for (const o of own.objectsUnder(source)) {
        const m = own.manifests.get(o);
        if (isWorkload(m)) manifests.add(m);
        if (m?.kind === 'NetworkPolicy') policies.add(m);
      }
    }
    let workloads;
    try {
      workloads = latchWorkloads([...manifests], [...(this.props.expectedProcesses ?? [])]);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`);
    }
    if (workloads.length === 0) {
      throw new Error(`${where}: no latch pod (superlatch.io labels or annotations) under ${sources.map((s) => s.node.path || '(app)').join(', ')}, so there is nothing to watch. Fix: add the latch workloads to the chart, or point sources at them`);
    }
    const doc = falcoDocument(workloads, {
      internalNetworks: this.props.internalNetworks ?? DEFAULT_INTERNAL_NETWORKS,
      nodeLocalDns: this.props.nodeLocalDnsCidrs ?? nodeLocalDnsOf([...policies]),
    });
    // the YAML writer is loaded only for Falco rules: every other synthesis skips its hundred modules
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { Document } = require('yaml') as typeof Yaml;
    const yaml = new Document(doc.items);
    yaml.commentBefore = [
      ' Falco rules generated by cdk8s-superlatch from the final manifests of these latch workloads:',
      ...workloads.map((w) => `   ${w.ref}`),
      ` Needs Falco ${doc.minimumFalco} or later (required_engine_version below)${doc.minimumReasons.length > 0 ? ':' : '.'}`,
      ...doc.minimumReasons.map((r) => `   ${r}`),
      ' On Falco 0.41 and later the container.* and k8s.* fields come from the container plugin (loaded by default).',
      ' Check it with `falco --validate <this file>` against your Falco.',
      ...(doc.withoutAllowList.length > 0
        ? [' No process allow-list (only shells are alerted on; declare expectedProcesses):', ...doc.withoutAllowList.map((c) => `   ${c}`)]
        : []),
    ].join('\n');
    return yaml.toString({ lineWidth: 0 });
  }
}
