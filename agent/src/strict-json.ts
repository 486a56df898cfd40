/**
 * `JSON.parse` keeps the last of duplicate keys, so `{"latched":true,"latched":false}`
 * would read as open. The agent never writes a key twice: a reader must see such a
 * document as malformed, not pick one of its values.
 */

/**
 * The first key that appears twice in one object of `text` (decoded, so `"a"` and
 * `"\u0061"` are the same key), at any depth; undefined when there is none.
 * `text` must already be valid JSON (`JSON.parse` accepted it): this only tracks
 * structure and keys, it does not validate.
 */
export function firstDuplicateKey(text: string): string | undefined {
  // one entry per open container: the keys of an object so far, or null for an array
  const open: Array<{ keys: Set<string>; expectKey: boolean } | null> = [];
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '{') {
      open.push({ keys: new Set(), expectKey: true });
    } else if (c === '[') {
      open.push(null);
    } else if (c === '}' || c === ']') {
      open.pop();
    } else if (c === ',') {
      const top = open[open.length - 1];
      if (top) top.expectKey = true;
    } else if (c === '"') {
      const start = i;
      for (i++; text[i] !== '"'; i++) if (text[i] === '\\') i++;
      const top = open[open.length - 1];
      if (top?.expectKey) {
        const key = JSON.parse(text.slice(start, i + 1)) as string;
        if (top.keys.has(key)) return key;
        top.keys.add(key);
        top.expectKey = false;
      }
    }
  }
  return undefined;
}
