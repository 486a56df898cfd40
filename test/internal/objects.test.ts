import { canonicalJson, sameJson } from '../../src/internal/objects';
describe('sameJson', () => {
  const probe = { httpGet: { path: '/ready', port: 8080 }, periodSeconds: 10 };
  const pairs: Array<[unknown, unknown]> = [
    [probe, { periodSeconds: 10, httpGet: { port: 8080, path: '/ready' } }],
    [probe, { ...probe, periodSeconds: 11 }],
    [probe, { ...probe, failureThreshold: 3 }],
    [probe, { ...probe, failureThreshold: undefined }],
    [{ exec: { command: ['a', 'b'] } }, { exec: { command: ['b', 'a'] } }],
    [{ exec: { command: ['a'] } }, { exec: { command: ['a', 'b'] } }],
    [[1, { a: 1 }], [1, { a: 1 }]],
    [{ a: [] }, { a: {} }],
    [{ a: null }, { a: undefined }],
    [1, '1'],
    [null, null],
  ];

  test.each(pairs)('agrees with comparing canonicalJson: %j vs %j', (a, b) => {
    expect(sameJson(a, b)).toBe(canonicalJson(a) === canonicalJson(b));
  });
});
