import { defineRule } from '../internal/define';
import { latchContainerNames, latchPods } from '../internal/latch';
import { arr, ContainerRef, finding, jsonPath, obj, RuleFindingList } from '../internal/manifests';
import { design } from '../internal/refs';
import { RuleSeverity } from '../rule';

/** Environment variables that weaken or replace the agent's TLS verification, or run other code in it. */
export const TLS_WEAKENING_ENV = ['NODE_TLS_REJECT_UNAUTHORIZED', 'NODE_EXTRA_CA_CERTS', 'NODE_OPTIONS', 'SSL_CERT_FILE', 'SSL_CERT_DIR', 'NODE_USE_ENV_PROXY'];

const SHELLS = new Set(['sh', 'bash', 'ash', 'dash', 'zsh', 'ksh', 'busybox', 'env', 'python', 'python3', 'perl']);
const EVAL_FLAGS = new Set(['-c', '-e', '--eval', '-p', '--print', '-r', '--require', '--import', '--loader', '--experimental-loader', '-i', '--interactive']);

/** The subcommand each latch container runs. */
const SUBCOMMANDS: { [name: string]: string } = { 'latch-agent': 'run', 'latch-gate': 'gate' };

/** Whether `argv` starts with `prefix` (the agent's command). */
function startsWith(argv: string[], prefix: string[]): boolean {
  if (argv.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (argv[i] !== prefix[i]) return false;
  return true;
}

/** A shell or an eval flag (`-e`, `--require=...`) in an argument list. */
function shellOrEval(argv: string[]): string | undefined {
  return argv.find((a) => SHELLS.has(a.slice(a.lastIndexOf('/') + 1)) || EVAL_FLAGS.has(a.includes('=') ? a.slice(0, a.indexOf('=')) : a));
}

function commandFindings(c: ContainerRef): RuleFindingList {
  const out: RuleFindingList = [];
  const command = arr(c.c.command).map(String);
  const args = arr(c.c.args).map(String);
  const want = SUBCOMMANDS[c.name];
  if (want && (args.length > 0 || command.length > 0) && (args.length !== 1 || args[0] !== want)) {
    out.push(finding(c.pod.ref, jsonPath(c.path, 'args'), `latch container '${c.name}' has args ${JSON.stringify(args)}, not ["${want}"]`));
  }
  const bad = shellOrEval(command) ?? shellOrEval(args);
  if (bad !== undefined) {
    out.push(finding(c.pod.ref, jsonPath(c.path, 'command'), `latch container '${c.name}' runs '${bad}' (a shell or code given on the command line), not the agent`));
  }
  const probe = arr(obj(obj(c.c.livenessProbe).exec).command).map(String);
  if (command.length > 0 && probe.length > 0 && (probe.length - 1 !== command.length || !startsWith(probe, command))) {
    out.push(finding(c.pod.ref, jsonPath(c.path, 'command'), `latch container '${c.name}' runs ${JSON.stringify(command)} but its liveness probe runs ${JSON.stringify(probe.slice(0, -1))}: the command was replaced`));
  }
  return out;
}

/** What the probes and hooks of a latch container may run after the agent's command: the read-only questions. */
const PROBE_SUBCOMMANDS = new Set(['health', 'ready', 'published', 'check', 'version']);

/**
 * Every exec probe and hook of a latch container runs in it, with its mounts (the agent's
 * read-write status volume): each must be the agent's command (when the container states
 * one) followed by a read-only subcommand, never a shell or code given on the command line.
 */
function probeFindings(c: ContainerRef): RuleFindingList {
  const out: RuleFindingList = [];
  const command = arr(c.c.command).map(String);
  const hooks: Array<[string, unknown]> = [
    ['livenessProbe', c.c.livenessProbe], ['readinessProbe', c.c.readinessProbe], ['startupProbe', c.c.startupProbe],
    ['lifecycle.postStart', obj(c.c.lifecycle).postStart], ['lifecycle.preStop', obj(c.c.lifecycle).preStop],
  ];
  for (const [field, hook] of hooks) {
    const argv = arr(obj(obj(hook).exec).command).map(String);
    if (argv.length === 0) continue;
    const path = () => jsonPath(c.path, ...field.split('.'), 'exec', 'command');
    const bad = shellOrEval(argv);
    const sub = argv[command.length];
    if (bad !== undefined) {
      out.push(finding(c.pod.ref, path(), `the ${field} of latch container '${c.name}' runs '${bad}' (a shell or code given on the command line) with the container's mounts`));
    } else if (command.length > 0 && (!startsWith(argv, command) || !PROBE_SUBCOMMANDS.has(sub))) {
      out.push(finding(c.pod.ref, path(), `the ${field} of latch container '${c.name}' runs ${JSON.stringify(argv)}, not the agent's ${JSON.stringify(command)} with one of ${[...PROBE_SUBCOMMANDS].join(', ')}`));
    }
  }
  return out;
}

function envFindings(c: ContainerRef): RuleFindingList {
  const out: RuleFindingList = [];
  arr(c.c.env).forEach((e, i) => {
    const name = String(obj(e).name);
    if (TLS_WEAKENING_ENV.includes(name)) {
      out.push(finding(c.pod.ref, jsonPath(c.path, 'env', i), `latch container '${c.name}' sets ${name}, which weakens or bypasses its TLS verification`));
    }
  });
  if (arr(c.c.envFrom).length > 0) {
    out.push(finding(c.pod.ref, jsonPath(c.path, 'envFrom'), `latch container '${c.name}' takes its environment from envFrom, which can set ${TLS_WEAKENING_ENV[0]} and friends`));
  }
  return out;
}

/** The latch's own containers run the agent as built, with its TLS verification intact. */
export const agentIntegrity = defineRule({
  id: 'SL-LATCH-12',
  title: 'The latch agent and gate run their own command and probes, with no environment that weakens TLS',
  severity: RuleSeverity.ERROR,
  rationale: 'A replaced command or args (a loop that writes "open"), or a probe or hook that runs code (probes run in the agent\'s container, with its read-write status volume), turns the single writer into a forger; NODE_TLS_REJECT_UNAUTHORIZED=0 (or an extra CA, NODE_OPTIONS, an OpenSSL CA path) lets anyone on the path answer for the Latch API or the API server and receive their credentials.',
  remediation: `Leave the latch containers as the Latch construct writes them: args ["run"] (agent) or ["gate"] (gate), exec probes and hooks that run the agent command with ${[...PROBE_SUBCOMMANDS].join(', ')}, and none of ${TLS_WEAKENING_ENV.join(', ')} nor envFrom.`,
  references: [...design('§4', '§7')],
  check: (set) => {
    const pods = latchPods(set);
    if (pods.length === 0) return undefined;
    return pods.flatMap(({ pod }) => {
      const names = new Set([...latchContainerNames(pod), ...Object.keys(SUBCOMMANDS)]);
      return pod.containers.filter((c) => names.has(c.name)).flatMap((c) => [...commandFindings(c), ...probeFindings(c), ...envFindings(c)]);
    });
  },
});
