/**
 * The system calls the latch agent (Node 20 on distroless, `agent/`) needs, for a
 * seccomp allow-list. How the list was made:
 *
 * TRACED: `strace -f` of the compiled agent (Node 20.20.2, x86_64) doing `run` in
 * sidecar mode (HTTPS to the Latch API simulator, resolving `localhost` through
 * getaddrinfo, status flips every 300 ms: temp file + fsync + rename + fchmod; the
 * server answering `Connection: close`, closing idle kept-alive connections, then down),
 * `run` in hub mode (HTTPS PATCH of a ConfigMap to a fake API server, heartbeat
 * file), `check`, `health` and `gate` until SIGTERM (signal handler and exit).
 *
 * DERIVED (not seen in those traces, needed in a cluster): DNS through the glibc
 * resolver over UDP/TCP (the tests resolved a name from /etc/hosts only), the
 * vDSO time calls' syscall fallbacks, temp-file clean-up (`fs.rmSync`), `getcwd`
 * (`process.cwd()`, e.g. resolving a relative path), the
 * aarch64 names of calls x86_64 has under older names (aarch64 has only the
 * `*at` forms and `ppoll`), and what runc and its Go runtime still call between
 * loading the filter and `execve` (with no_new_privs, runc loads it right
 * before exec: sync-pipe writes, closing inherited descriptors, scheduler).
 *
 * Names unknown to an architecture are skipped by the runtime. Record your own
 * with the Security Profiles Operator's ProfileRecording, or run the profile
 * with `SeccompAction.LOG` first, before enforcing it.
 */
const TRACED = [
  // process and memory
  'arch_prctl', 'brk', 'capget', 'clone3', 'execve', 'exit', 'exit_group', 'getegid', 'geteuid', 'getgid', 'getpid',
  'getrandom', 'getrusage', 'gettid', 'getuid', 'madvise', 'mmap', 'mprotect', 'munmap', 'pkey_alloc', 'prlimit64',
  'rseq', 'sched_getaffinity', 'set_robust_list', 'set_tid_address', 'sysinfo', 'uname',
  // threads, timers, event loop, signals
  'epoll_create1', 'epoll_ctl', 'epoll_pwait', 'eventfd2', 'futex', 'pipe2', 'rt_sigaction', 'rt_sigprocmask', 'rt_sigreturn',
  // files: read credentials and status, write temp + fsync + rename
  'access', 'close', 'fchmod', 'fcntl', 'fstat', 'fsync', 'getdents64', 'ioctl', 'lseek', 'newfstatat', 'openat', 'pread64',
  'read', 'readlink', 'rename', 'statx', 'write',
  // sockets: HTTPS to the Latch API and the API server, getaddrinfo's netlink query
  'bind', 'connect', 'getsockname', 'getsockopt', 'recvmsg', 'sendto', 'setsockopt', 'socket',
  // closing a kept-alive connection the peer ended (`Connection: close`, idle close): shutdown(fd, SHUT_WR)
  'shutdown',
];

const DERIVED = [
  // DNS through the glibc resolver (UDP, TCP fallback)
  'poll', 'recvfrom', 'sendmmsg', 'writev',
  // time: syscall fallbacks of the vDSO, sleeping
  'clock_getres', 'clock_gettime', 'clock_nanosleep', 'gettimeofday', 'nanosleep',
  // removing a stale temp file, or a directory planted at a temp name
  'unlink', 'unlinkat', 'rmdir',
  // process.cwd()
  'getcwd',
  // signals and scheduling (Node, V8, and runc's Go runtime before exec)
  'restart_syscall', 'sched_yield', 'sigaltstack', 'tgkill', 'close_range',
  // aarch64 forms of access, readlink, rename, poll
  'faccessat', 'faccessat2', 'ppoll', 'readlinkat', 'renameat', 'renameat2',
];

/** The agent's allow-list, sorted and without duplicates. */
export const LATCH_AGENT_SYSCALLS: string[] = [...new Set([...TRACED, ...DERIVED])].sort();
