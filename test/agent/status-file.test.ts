import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { agentEnv, REPO, runAgent, tempDir } from './helpers';
import { buildDocument, evaluateStatus, MAX_CLOCK_SKEW_MS, MAX_LIFETIME_MS, readStatusFile, removeLeftoverTempFiles, serializeDocument, writeFileAtomic } from '../../agent/src/status-file';
import { firstDuplicateKey } from '../../agent/src/strict-json';

// Spawning processes is slow on a busy CI machine: generous, never tight.
jest.setTimeout(60_000);

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const NOW = Date.UTC(2026, 10, 23, 10, 30, 0);
const fresh = (status: string): string => serializeDocument(buildDocument(status, NOW, NOW + 60_000, 'latch'));
const edit = (patch: Record<string, unknown>): string => JSON.stringify({ ...JSON.parse(fresh('on')), ...patch });

describe('the status document', () => {
  test('has exactly the contract v1 fields, in order, with the seed-compatible lastUpdate', () => {
    expect(fresh('off')).toBe(
      '{"version":1,"latched":true,"status":"off","lastUpdate":"2026-11-23T10:30:00",'
      + '"latchUpdate":"2026-11-23T10:30:00Z","expiresAt":"2026-11-23T10:31:00Z","source":"latch"}\n',
    );
  });

  test('any status other than "on" is latched', () => {
    expect(buildDocument('on', NOW, NOW, 'latch').latched).toBe(false);
    expect(buildDocument('off', NOW, NOW, 'latch').latched).toBe(true);
    expect(buildDocument('unknown', NOW, NOW, 'latch').latched).toBe(true);
  });

  test('timestamps carry whole seconds', () => {
    const doc = buildDocument('on', NOW + 999, NOW + 60_999, 'latch');
    expect(doc.lastUpdate).toBe('2026-11-23T10:30:00');
    expect(doc.expiresAt).toBe('2026-11-23T10:31:00Z');
  });
});

describe('judging a status file', () => {
  test('fresh and open, fresh and locked', () => {
    expect(evaluateStatus(fresh('on'), NOW + 1000).state).toBe('open');
    expect(evaluateStatus(fresh('off'), NOW + 1000).state).toBe('locked');
  });

  test('stale at expiresAt and after', () => {
    expect(evaluateStatus(fresh('on'), NOW + 60_000)).toEqual({ state: 'unknown', reason: 'stale: expired at 2026-11-23T10:31:00Z' });
  });

  test.each([
    ['not JSON', '{"version":1,"latched":fal', /malformed: not JSON/],
    ['empty', '', /malformed: not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['null', 'null', /not a JSON object/],
    ['the seed format without version', '{"latched": false, "lastUpdate": "2026-11-23T10:30:00"}', /version is not a number/],
    ['a future contract version', edit({ version: 2 }), /unsupported contract version 2/],
    ['latched as a string', edit({ latched: 'false' }), /latched is not a boolean/],
    ['status as a boolean', edit({ status: true }), /status is not a string/],
    ['expiresAt missing', edit({ expiresAt: undefined }), /expiresAt is not a string/],
    ['lastUpdate with a zone', edit({ lastUpdate: '2026-11-23T10:30:00Z' }), /lastUpdate is not/],
    ['expiresAt without a zone', edit({ expiresAt: '2026-11-23T10:31:00' }), /expiresAt is not/],
    ['latchUpdate differing from lastUpdate', edit({ latchUpdate: '2026-11-23T10:29:00Z' }), /inconsistent/],
    ['latched false with status off', edit({ latched: false, status: 'off' }), /inconsistent: latched is false/],
    ['latched false with an unknown status', edit({ latched: false, status: 'ON' }), /inconsistent/],
  ])('%s is unknown, never open', (_what, text, reason) => {
    const verdict = evaluateStatus(text, NOW + 1000);
    expect(verdict.state).toBe('unknown');
    expect(verdict.state === 'unknown' && verdict.reason).toMatch(reason);
  });

  test.each([
    ['latched twice, the last one open', fresh('off').replace('"latched":true', '"latched":true,"latched":false').replace('"status":"off"', '"status":"on"'), 'latched'],
    ['status twice', fresh('off').replace('"status":"off"', '"status":"off","status":"on"'), 'status'],
    ['expiresAt twice, the last one later', fresh('on').replace('"source"', '"expiresAt":"2099-01-01T00:00:00Z","source"'), 'expiresAt'],
    ['a key written with an escape', fresh('off').replace('"latched":true', '"latched":true,"l\\u0061tched":false'), 'latched'],
  ])('duplicate keys (%s) are unknown, never the last value', (_what, text, key) => {
    expect(JSON.parse(text)).toBeDefined();
    expect(evaluateStatus(text, NOW + 1000)).toEqual({ state: 'unknown', reason: `malformed: duplicate key ${JSON.stringify(key)}` });
  });
});

describe('duplicate-key detection', () => {
  test.each([
    ['{}', undefined],
    ['[]', undefined],
    ['{"a":1,"b":2}', undefined],
    ['{"a":1,"a":2}', 'a'],
    ['{"a":{"a":1},"b":[{"a":1},{"a":2}]}', undefined],
    ['{"a":{"x":1,"x":2}}', 'x'],
    ['[{"x":1},{"y":1,"y":2}]', 'y'],
    ['{"a":"a","b":"a"}', undefined],
    ['{"a":["a","a"]}', undefined],
    ['{"q\\"":1,"q\\"":2}', 'q"'],
    ['{"k\\\\":1,"k\\\\":2}', 'k\\'],
    ['{"\\u00e9":1,"é":2}', 'é'],
    ['{"a:b,c":1,"a":2,"c":3}', undefined],
    [' { "a" : 1 ,\n "a" : 2 } ', 'a'],
    ['{"":1,"":2}', ''],
  ])('%s: %s', (text, key) => {
    JSON.parse(text);
    expect(firstDuplicateKey(text)).toBe(key);
  });
});

describe('the limits a forged document meets (docs/latch.md threat model, docs/agent.md)', () => {
  const doc = (lastUpdateMs: number, expiresAtMs: number, source = 'latch') => serializeDocument(buildDocument('on', lastUpdateMs, expiresAtMs, source as any));
  test('a lastUpdate up to 60 s ahead of the reader is believed, one second more is unknown', () => {
    expect(MAX_CLOCK_SKEW_MS).toBe(60_000);
    expect(evaluateStatus(doc(NOW + 60_000, NOW + 120_000), NOW).state).toBe('open');
    expect(evaluateStatus(doc(NOW + 61_000, NOW + 121_000), NOW).state).toBe('unknown');
  });

  test('a life (expiresAt - lastUpdate) of 7 days is believed, one second more is unknown', () => {
    const week = 7 * 86400_000;
    expect(MAX_LIFETIME_MS).toBe(week);
    expect(evaluateStatus(doc(NOW, NOW + week), NOW + 1000).state).toBe('open');
    expect(evaluateStatus(doc(NOW, NOW + week + 1000), NOW + 1000).state).toBe('unknown');
  });

  test('only the sources the contract defines are believed', () => {
    expect(evaluateStatus(doc(NOW, NOW + 60_000, 'failure-policy'), NOW + 1000).state).toBe('open');
    expect(evaluateStatus(doc(NOW, NOW + 60_000, 'evil'), NOW + 1000).state).toBe('unknown');
  });
});

describe('judging a status file on disk', () => {
  test('a missing file, a directory and an oversized file are unknown', () => {
    expect(readStatusFile(path.join(dir, 'nope.json'), NOW)).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/^missing/) });
    expect(readStatusFile(dir, NOW)).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/^unreadable/) });
    const big = path.join(dir, 'big.json');
    fs.writeFileSync(big, edit({ padding: 'x'.repeat(70_000) }));
    expect(readStatusFile(big, NOW)).toMatchObject({ state: 'unknown', reason: expect.stringMatching(/larger than/) });
  });
});

describe('check: every exit code', () => {
  const now = Date.now();
  const write = (name: string, text: string): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };
  const live = (status: string): string => serializeDocument(buildDocument(status, now, now + 3_600_000, 'latch'));

  test.each([
    ['fresh and open', () => write('open.json', live('on')), 0, /^open/],
    ['fresh and locked', () => write('locked.json', live('off')), 1, /^locked/],
    ['missing', () => path.join(dir, 'missing.json'), 2, /missing/],
    ['unreadable (a directory)', () => dir, 2, /unreadable/],
    ['malformed', () => write('bad.json', '{"version":1,'), 2, /malformed/],
    ['wrongly typed', () => write('typed.json', live('on').replace('"latched":false', '"latched":"false"')), 2, /wrongly typed/],
    ['stale', () => write('stale.json', serializeDocument(buildDocument('on', now - 120_000, now - 60_000, 'latch'))), 2, /stale/],
    ['duplicate keys, the last one open', () => write('dup.json', live('off').replace('"latched":true', '"latched":true,"latched":false').replace('"status":"off"', '"status":"on"')), 2, /^unknown: malformed: duplicate key "latched"/],
    ['a failure-policy file', () => write('policy.json', serializeDocument(buildDocument('on', now - 120_000, now - 60_000, 'failure-policy'))), 2, /stale/],
  ])('%s', async (_what, file, code, output) => {
    const r = await runAgent(['check', '--file', file()], agentEnv({}));
    expect(r.status).toBe(code);
    expect(r.stdout).toMatch(output);
  });

  describe('--allow-unknown (the gate of a fail-open latch): only fresh and locked fails', () => {
    test.each([
      ['fresh and open', () => write('open.json', live('on')), 0, /^open/],
      ['fresh and locked', () => write('locked.json', live('off')), 1, /^locked/],
      ['stale', () => write('stale.json', serializeDocument(buildDocument('off', now - 120_000, now - 60_000, 'latch'))), 0, /^unknown: stale: .* \(allowed by --allow-unknown\)\n$/],
      ['missing', () => path.join(dir, 'missing.json'), 0, /^unknown: missing.* \(allowed by --allow-unknown\)\n$/],
      ['malformed', () => write('bad.json', '{"version":1,'), 0, /^unknown: malformed.* \(allowed by --allow-unknown\)\n$/],
      ['unreadable (a directory)', () => dir, 0, /^unknown: unreadable.* \(allowed by --allow-unknown\)\n$/],
      ['wrongly typed', () => write('typed.json', live('on').replace('"latched":false', '"latched":"false"')), 0, /allowed by --allow-unknown/],
    ])('%s', async (_what, file, code, output) => {
      const r = await runAgent(['check', '--file', file(), '--allow-unknown'], agentEnv({}));
      expect(r.status).toBe(code);
      expect(r.stdout).toMatch(output);
      expect(r.stdout.split('\n')).toHaveLength(2);
    });

    test.each([
      ['stale', () => write('stale.json', serializeDocument(buildDocument('off', now - 120_000, now - 60_000, 'latch'))), /^unknown: stale/],
      ['missing', () => path.join(dir, 'missing.json'), /^unknown: missing/],
    ])('without the flag, %s still exits 2 and does not mention it', async (_what, file, output) => {
      const r = await runAgent(['check', '--file', file()], agentEnv({}));
      expect(r.status).toBe(2);
      expect(r.stdout).toMatch(output);
      expect(r.stdout).not.toMatch(/allow/);
    });

    test('LATCH_FAILURE_POLICY=open is not a substitute for the flag', async () => {
      const r = await runAgent(['check', '--file', path.join(dir, 'missing.json')], agentEnv({ LATCH_FAILURE_POLICY: 'open' }));
      expect(r.status).toBe(2);
    });

    test('the flag comes first or last, reads LATCH_STATUS_FILE without --file, and takes no value', async () => {
      const missing = path.join(dir, 'missing.json');
      expect((await runAgent(['check', '--allow-unknown', '--file', missing], agentEnv({}))).status).toBe(0);
      expect((await runAgent(['check', '--allow-unknown'], agentEnv({ LATCH_STATUS_FILE: missing }))).status).toBe(0);
      expect((await runAgent(['check', '--allow-unknown'], agentEnv({ LATCH_STATUS_FILE: write('env-locked.json', live('off')) }))).status).toBe(1);
      const r = await runAgent(['check', '--allow-unknown=yes', '--file', missing], agentEnv({}));
      expect(r.status).toBe(64);
      expect(r.stderr).toMatch(/'--allow-unknown' does not take an argument/);
      expect((await runAgent(['run', '--allow-unknown'], agentEnv({}))).status).toBe(64);
    });

    test('check --help documents it', async () => {
      const r = await runAgent(['check', '--help'], agentEnv({}));
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/--allow-unknown/);
    });
  });

  test('without --file it reads LATCH_STATUS_FILE', async () => {
    const file = write('env.json', live('off'));
    expect((await runAgent(['check'], agentEnv({ LATCH_STATUS_FILE: file }))).status).toBe(1);
    expect((await runAgent(['check', `--file=${file}`], agentEnv({}))).status).toBe(1);
  });
});

describe('atomic publication', () => {
  test('leaves no temp file behind, and leftovers of a killed writer are removed', () => {
    const file = path.join(dir, 'atomic.json');
    writeFileAtomic(file, fresh('on'));
    writeFileAtomic(file, fresh('off'));
    expect(fs.readFileSync(file, 'utf8')).toBe(fresh('off'));
    fs.writeFileSync(path.join(dir, '.atomic.json.123.4.tmp'), '{"ver');
    removeLeftoverTempFiles(file);
    expect(fs.readdirSync(dir).filter((n) => n.startsWith('.atomic.json'))).toEqual([]);
  });

  test('the file is readable by other users (0644) whatever the umask', () => {
    const file = path.join(dir, 'mode.json');
    const old = process.umask(0o077);
    try {
      writeFileAtomic(file, fresh('on'));
    } finally {
      process.umask(old);
    }
    expect((fs.statSync(file).mode % 0o1000).toString(8)).toBe('644');
  });

  test('a reader never sees a partial file while thousands of writes replace it', async () => {
    const hammer = tempDir('superlatch-hammer-');
    const file = path.join(hammer, 'latch-info.json');
    const stop = path.join(hammer, 'stop');
    const done = path.join(hammer, 'done');
    // Two documents of very different sizes (the long one spans several pages), so a torn read would not parse or match.
    const docs = [fresh('on'), serializeDocument({ ...buildDocument('off', NOW, NOW + 60_000, 'latch'), status: 'off' }).replace('}', `,"pad":"${'p'.repeat(9000)}"}`)];
    writeFileAtomic(file, docs[0]);
    const writer = spawn(process.execPath, ['-e', `
      const fs = require('node:fs');
      const { writeFileAtomic } = require(${JSON.stringify(path.join(REPO, 'agent', 'lib', 'status-file.js'))});
      const docs = ${JSON.stringify(docs)};
      let writes = 0;
      while (writes < 2000 || !fs.existsSync(${JSON.stringify(stop)})) writeFileAtomic(${JSON.stringify(file)}, docs[++writes % 2]);
      fs.writeFileSync(${JSON.stringify(done)}, String(writes));
    `], { stdio: 'inherit' });
    const exited = new Promise<number | null>((resolve) => writer.on('exit', resolve));

    const seen = new Set<string>();
    let reads = 0;
    let bad = 0;
    const deadline = Date.now() + 60_000;
    while (!fs.existsSync(done) && Date.now() < deadline) {
      const text = fs.readFileSync(file, 'utf8');
      reads++;
      if (!docs.includes(text)) bad++;
      seen.add(text);
      if (reads === 2000) fs.writeFileSync(stop, '');
    }
    expect(await exited).toBe(0);
    const writes = Number(fs.readFileSync(done, 'utf8'));
    expect(bad).toBe(0);
    expect(reads).toBeGreaterThanOrEqual(2000);
    expect(writes).toBeGreaterThanOrEqual(2000);
    expect(seen.size).toBe(2);
    expect(fs.readdirSync(hammer).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    fs.rmSync(hammer, { recursive: true, force: true });
  }, 90_000);
});

describe('planted temp names (issue 11)', () => {
  test('directories at every .<name>.<pid>.<n>.tmp of this process neither stop writes nor crash the clean-up', () => {
    const work = tempDir();
    const file = path.join(work, 'latch-info.json');
    for (let n = 1; n <= 100; n++) fs.mkdirSync(path.join(work, `.latch-info.json.${process.pid}.${n}.tmp`, 'inside'), { recursive: true });
    for (let i = 0; i < 10; i++) writeFileAtomic(file, `{"n":${i}}\n`);
    expect(fs.readFileSync(file, 'utf8')).toBe('{"n":9}\n');
    expect(() => removeLeftoverTempFiles(file)).not.toThrow();
    expect(fs.readdirSync(work)).toEqual(['latch-info.json']);
    fs.rmSync(work, { recursive: true, force: true });
  });
});
