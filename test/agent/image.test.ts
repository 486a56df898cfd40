/**
 * The container image and the packaging: the Dockerfile is reviewed, not built here, so
 * its hardening is asserted from the text; the compiled agent must run on Node's
 * built-ins alone, from a copy outside the repository (no node_modules to fall back on).
 */
import * as fs from 'node:fs';
import { builtinModules } from 'node:module';
import * as path from 'node:path';
import { ACCOUNT, AgentProcess, agentEnv, APP_ID, readJson, REPO, runAgent, SECRET, tempDir, waitFor } from './helpers';
import { LatchSimulator } from './simulator';

// Spawning processes is slow on a busy CI machine: generous, never tight.
jest.setTimeout(60_000);

const LIB = path.join(REPO, 'agent', 'lib');
const dockerfile = fs.readFileSync(path.join(REPO, 'agent', 'Dockerfile'), 'utf8');
const instructions = dockerfile.split('\n').filter((l) => /^[A-Z]+\s/.test(l));

describe('agent/Dockerfile', () => {
  const froms = instructions.filter((l) => l.startsWith('FROM '));
  const finalStage = instructions.slice(instructions.lastIndexOf(froms[froms.length - 1]));

  test('is multi-stage and pins every base image by digest', () => {
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM [^\s]+:[^\s@]+@sha256:[0-9a-f]{64}( AS \w+)?$/);
  });

  test('runs on distroless Node.js 20 as a numeric non-root user above 10000', () => {
    expect(froms[froms.length - 1]).toMatch(/^FROM gcr\.io\/distroless\/nodejs20-debian12:nonroot@sha256:/);
    const user = finalStage.filter((l) => l.startsWith('USER '));
    expect(user).toHaveLength(1);
    const [uid, gid] = user[0].slice(5).trim().split(':').map(Number);
    expect(uid).toBeGreaterThan(10000);
    expect(gid).toBeGreaterThan(10000);
  });

  test('the final stage has no shell step, copies only the compiled agent, and its entrypoint is the agent', () => {
    expect(finalStage.filter((l) => /^(RUN|ADD) /.test(l))).toEqual([]);
    expect(finalStage.filter((l) => l.startsWith('COPY '))).toEqual(['COPY --from=build --chown=0:0 /src/agent/lib/ /opt/superlatch-agent/']);
    expect(finalStage).toContain('ENTRYPOINT ["/nodejs/bin/node", "--jitless", "--no-expose-wasm", "/opt/superlatch-agent/main.js"]');
    expect(finalStage).toContain('CMD ["run"]');
    expect(dockerfile).not.toMatch(/LATCH_(SECRET_KEY|APP_ID|ACCOUNT_ID)/);
  });

  test('the build context holds only what the build stage copies', () => {
    const ignore = fs.readFileSync(path.join(REPO, 'agent', 'Dockerfile.dockerignore'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(ignore).toEqual(['*', '!package-lock.json', '!package.json', '!agent/tsconfig.json', '!agent/src/', '!agent/write-version.js']);
    const copied = instructions.filter((l) => l.startsWith('COPY ') && !l.includes('--from=')).map((l) => l.split(/\s+/)[1]);
    expect(copied).toEqual(['package-lock.json', 'agent/tsconfig.json', 'agent/src', 'package.json', 'agent/write-version.js']);
    expect(instructions).toContain('RUN node agent/write-version.js && npx tsc -p agent/tsconfig.json');
  });
});

describe('the compiled agent', () => {
  test('requires only node: built-ins and its own files', () => {
    const files = fs.readdirSync(LIB).filter((f) => f.endsWith('.js'));
    expect(files).toContain('main.js');
    for (const file of files) {
      const text = fs.readFileSync(path.join(LIB, file), 'utf8');
      const required = [...text.matchAll(/require\((["'`])([^"'`]+)\1\)/g)].map((m) => m[2]);
      expect(text).not.toMatch(/\bimport\(/);
      for (const id of required) {
        const ok = (id.startsWith('node:') && builtinModules.includes(id.slice(5))) || (id.startsWith('./') && files.includes(`${id.slice(2)}.js`));
        expect(`${file}: ${id} ${ok ? 'ok' : 'is not a node: built-in or a sibling file'}`).toBe(`${file}: ${id} ok`);
      }
    }
  });

  test('runs from a copy outside the repository with an empty NODE_PATH', async () => {
    const dir = tempDir('superlatch-image-');
    const sim = await LatchSimulator.start({ apps: { [APP_ID]: SECRET } });
    try {
      const app = path.join(dir, 'opt', 'superlatch-agent');
      fs.cpSync(LIB, app, { recursive: true });
      const main = path.join(app, 'main.js');
      const env = agentEnv({ NODE_PATH: '', LATCH_STATUS_FILE: path.join(dir, 'latch-info.json') });
      const help = await runAgent(['--help'], env, dir, main);
      expect(help.status).toBe(0);
      // the version is compiled in: no package.json near the copy
      const { version } = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { version: string };
      expect(await runAgent(['version'], env, dir, main)).toEqual({ status: 0, stdout: `superlatch-agent ${version} (status file contract v1)\n`, stderr: '' });

      sim.addAccount(APP_ID, ACCOUNT, 'off');
      // With the image's node flags, as its ENTRYPOINT runs it.
      const nodeArgs = ['--jitless', '--no-expose-wasm'];
      const credentials = { LATCH_APP_ID: APP_ID, LATCH_SECRET_KEY: SECRET, LATCH_ACCOUNT_ID: ACCOUNT, LATCH_API_URL: sim.url };
      const agent = AgentProcess.start(['run'], { ...env, ...credentials }, { cwd: dir, main, nodeArgs });
      try {
        await waitFor('a status file', () => readJson(path.join(dir, 'latch-info.json')));
        expect((await runAgent(['check'], env, dir, main)).status).toBe(1);
      } finally {
        expect((await agent.stop()).code).toBe(0);
      }
      expect(agent.stderr).toBe('');
    } finally {
      await sim.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  test('bin/superlatch-agent is an executable node shim for the compiled agent', async () => {
    const bin = path.join(REPO, 'bin', 'superlatch-agent');
    expect(fs.readFileSync(bin, 'utf8')).toMatch(/^#!\/usr\/bin\/env node\n.*require\('\.\.\/agent\/lib\/main\.js'\)/s);
    fs.accessSync(bin, fs.constants.X_OK);
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { bin: Record<string, string> };
    expect(pkg.bin['superlatch-agent']).toBe('bin/superlatch-agent');
    expect((await runAgent(['--help'], agentEnv({}), REPO, bin)).status).toBe(0);
  });
});
