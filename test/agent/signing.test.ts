import * as fs from 'node:fs';
import * as path from 'node:path';
import { LATCH_FIXTURES } from './helpers';
import { rebuildStringToSign } from './simulator';
import { authorizationHeader, formatLatchDate, formEncode, serializeParams, serializeSignedHeaders, signature, stringToSign } from '../../agent/src/signing';

interface Vector {
  description: string;
  method: string;
  path: string;
  date: string;
  appId: string;
  secret: string;
  headers: Record<string, string>;
  params: Record<string, string> | null;
  expectedStringToSign: string;
  expectedAuthorizationHeader: string;
}

const vectors = JSON.parse(fs.readFileSync(path.join(LATCH_FIXTURES, 'signature-vectors.json'), 'utf8')) as Vector[];

describe('signature vectors (test/fixtures/latch/signature-vectors.json)', () => {
  test('the file holds the 18 vectors', () => {
    expect(vectors).toHaveLength(18);
  });

  test.each(vectors.map((v) => [v.description, v] as const))('%s', (_d, v) => {
    const req = { method: v.method, path: v.path, date: v.date, headers: v.headers, params: v.params };
    expect(stringToSign(req)).toBe(v.expectedStringToSign);
    expect(authorizationHeader(v.appId, v.secret, req)).toBe(v.expectedAuthorizationHeader);
  });

  test.each(vectors.map((v) => [v.description, v] as const))('the simulator rebuilds the same string: %s', (_d, v) => {
    const headers = Object.fromEntries([...Object.entries(v.headers), ['X-11Paths-Date', v.date]].map(([k, val]) => [k.toLowerCase(), val]));
    expect(rebuildStringToSign(v.method, v.path, headers, v.params ?? {})).toBe(v.expectedStringToSign);
  });
});

describe('string to sign: edge cases', () => {
  const base = { method: 'get', path: '/api/1.0/status/acc', date: '2025-01-15 10:30:00' };

  test('the method is upper-cased and a GET has two LFs after the date', () => {
    expect(stringToSign(base)).toBe('GET\n2025-01-15 10:30:00\n\n/api/1.0/status/acc');
  });

  test('an empty params object adds no line (unlike the Python SDK quirk)', () => {
    expect(stringToSign({ ...base, method: 'POST', params: {} })).toBe('POST\n2025-01-15 10:30:00\n\n/api/1.0/status/acc');
  });

  test('the date header and non-X-11Paths headers are not in the headers line', () => {
    expect(serializeSignedHeaders({ 'X-11Paths-Date': 'x', 'Authorization': 'y', 'Content-Type': 'z' })).toBe('');
  });

  test('headers sort by lower-cased name and every LF in a value becomes a space', () => {
    expect(serializeSignedHeaders({ 'X-11PATHS-b': 'two\nlines\nhere', 'x-11paths-A': '1' })).toBe('x-11paths-a:1 x-11paths-b:two lines here');
  });

  test('params sort by code unit: upper case before lower case', () => {
    expect(serializeParams({ b: '2', B: '1', a: '3' })).toBe('B=1&a=3&b=2');
  });

  test('values are encoded like Java URLEncoder', () => {
    expect(formEncode('a b')).toBe('a+b');
    expect(formEncode('*._-')).toBe('*._-');
    expect(formEncode('~!\'()')).toBe('%7E%21%27%28%29');
    expect(formEncode('a=b&c/d')).toBe('a%3Db%26c%2Fd');
    expect(formEncode('ñ€')).toBe('%C3%B1%E2%82%AC');
  });

  test('non-ASCII text is signed as UTF-8', () => {
    const s = stringToSign({ ...base, method: 'POST', params: { commonName: 'Peña' } });
    expect(s.endsWith('\ncommonName=Pe%C3%B1a')).toBe(true);
  });

  test('a signature is 28 characters of padded standard Base64', () => {
    expect(signature('secret', 'anything')).toMatch(/^[A-Za-z0-9+/]{27}=$/);
  });

  test('dates are UTC, zero-padded, with a space and no zone', () => {
    expect(formatLatchDate(Date.UTC(2025, 0, 5, 3, 4, 5, 999))).toBe('2025-01-05 03:04:05');
  });
});
