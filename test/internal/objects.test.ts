import { cloneJson, sameJson, sortKeysDeep } from '../../src/internal/objects';

/** The reference: JSON with sorted keys. */
const canonicalJson = (value: unknown): string => JSON.stringify(sortKeysDeep(value));
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

describe('cloneJson', () => {
  const value = { b: [1, { c: 'x', d: undefined }, null, undefined], a: { e: true, f: undefined }, g: 0 };

  test('is what a JSON round trip gives, and shares nothing with its input', () => {
    const copy = cloneJson(value);
    expect(JSON.stringify(copy)).toBe(JSON.stringify(JSON.parse(JSON.stringify(value))));
    expect(Object.keys(copy)).toEqual(['b', 'a', 'g']);
    expect(copy.b).not.toBe(value.b);
    expect(copy.b[1]).not.toBe(value.b[1]);
    expect(copy.a).not.toBe(value.a);
  });
});
