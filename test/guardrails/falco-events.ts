/**
 * Synthetic Falco events for the latch pods of latch-fixtures.ts, with the fields libsinsp fills
 * in for them: event type and direction, result, process (name as comm, command line as comm plus
 * arguments, parent, tty), fd (type, protocol, addresses), container and pod metadata.
 */
import { FalcoEvent } from './falco-eval';
import { AGENT_REPO } from './latch-fixtures';
import { commandLine, processName } from '../../src/guardrails/falco-model';

export const APP_REPO = 'registry.example.com/app';
const POD = { 'k8s.ns.name': 'apps', 'k8s.pod.label[superlatch.io/latch]': 'payments', 'k8s.pod.label[superlatch.io/role]': 'guarded' };
export const SHOP: FalcoEvent = { ...POD, 'k8s.pod.label[app.kubernetes.io/name]': 'shop', 'k8s.pod.name': 'shop-7d9f8b6c5-abcde' };
export const LEDGER: FalcoEvent = { ...POD, 'k8s.pod.label[app.kubernetes.io/name]': 'ledger', 'k8s.pod.name': 'ledger-5c8d7f9b4-fghij' };
export const AGENT: FalcoEvent = { ...POD, 'k8s.pod.label[app.kubernetes.io/name]': 'payments-latch-agent', 'k8s.pod.label[superlatch.io/role]': 'agent', 'k8s.pod.name': 'payments-latch-agent-6b7c8d9f5-klmno' };

const IMAGES: Record<string, string> = { 'app': APP_REPO, 'latch-agent': AGENT_REPO, 'latch-gate': AGENT_REPO };

/** A container of a pod, with the image the runtime reports (the declared one unless given). */
export function container(pod: FalcoEvent, name: string, image = IMAGES[name] ?? 'docker.io/library/busybox'): FalcoEvent {
  return { ...pod, 'container.id': 'c0ffee123456', 'container.name': name, 'container.image.repository': image };
}

/** The process fields of `argv` (what libsinsp shows after the execve). */
function proc(argv: string[], extra: FalcoEvent): FalcoEvent {
  return { 'proc.name': processName(argv[0]), 'proc.exepath': argv[0], 'proc.cmdline': commandLine(argv), 'proc.pname': 'runc', 'proc.pcmdline': 'runc init', 'proc.vpid': 7, 'proc.tty': 0, ...extra };
}

/** An execve exit. `extra` overrides process fields (e.g. `proc.tty`, `proc.vpid`, `proc.pcmdline`). */
export function exec(where: FalcoEvent, argv: string[], extra: FalcoEvent = {}): FalcoEvent {
  return { ...where, 'evt.type': 'execve', 'evt.dir': '<', 'evt.rawres': 0, ...proc(argv, extra) };
}

/** An event of a running process `argv` (default: the agent's entrypoint). */
export function by(where: FalcoEvent, argv: string[], fields: FalcoEvent, extra: FalcoEvent = {}): FalcoEvent {
  return { ...where, 'evt.dir': '<', ...proc(argv, extra), ...fields };
}

export const AGENT_RUN = ['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js', 'run'];
export const AGENT_GATE = ['/nodejs/bin/node', '--jitless', '--no-expose-wasm', '/opt/superlatch-agent/main.js', 'gate'];
export const WEB_SERVER = ['/usr/local/bin/web-server'];

/** openat exit: `flags` as libsinsp renders them; O_WRONLY/O_RDWR/O_CREAT make it a write open. */
export function openat(where: FalcoEvent, argv: string[], path: string, flags: string, res = 3, extra: FalcoEvent = {}): FalcoEvent {
  const write = /O_WRONLY|O_RDWR|O_CREAT/.test(flags);
  return by(where, argv, { 'evt.type': 'openat', 'evt.rawres': res, 'evt.res': res >= 0 ? 'SUCCESS' : 'EROFS', 'evt.arg.flags': flags, 'evt.is_open_write': write ? 'true' : 'false', 'fd.typechar': 'f', 'fd.name': path }, extra);
}

/** A socket event on an inet socket (`ip` of the server side, `port` its port). */
export function socket(
  where: FalcoEvent, argv: string[], type: string, ip: string, port: number, fields: FalcoEvent = {}, extra: FalcoEvent = {},
): FalcoEvent {
  return by(where, argv, {
    'evt.type': type,
    'evt.rawres': 0,
    'evt.res': 'SUCCESS',
    'fd.typechar': ip.includes(':') ? 6 : 4,
    'fd.l4proto': 'tcp',
    'fd.sip': ip,
    'fd.sport': port,
    'fd.cip': '10.244.1.5',
    'fd.name': `10.244.1.5:40000->${ip}:${port}`,
    ...fields,
  }, extra);
}
