import { Logger } from '../../agent/src/log';

describe('structured log', () => {
  test('one JSON object per line with time, level and event; undefined fields are left out', () => {
    const lines: string[] = [];
    const log = new Logger((l) => lines.push(l), () => Date.UTC(2026, 0, 2, 3, 4, 5));
    log.warn('poll_failed', { kind: 'timeout', code: undefined, failures: 2 });
    expect(lines).toEqual(['{"ts":"2026-01-02T03:04:05.000Z","level":"warn","event":"poll_failed","kind":"timeout","failures":2}\n']);
  });

  test('registered secrets are masked wherever they appear', () => {
    const lines: string[] = [];
    const log = new Logger((l) => lines.push(l));
    log.addSecret('TopSecretValue');
    log.addSecret(undefined);
    log.error('x', { message: 'key TopSecretValue and again TopSecretValue' });
    expect(lines[0]).not.toContain('TopSecretValue');
    expect(JSON.parse(lines[0]).message).toBe('key [redacted] and again [redacted]');
  });
});
