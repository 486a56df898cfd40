/**
 * Image digests: one definition for the hardening profile, the Latch, rule SL-HARD-15
 * and the admission policy's CEL expression.
 *
 * The OCI image spec registers two digest algorithms, sha256 and sha512, each with an
 * exact length of lower-case hex digits; both are accepted, nothing else is (an
 * unregistered algorithm or a wrong length cannot be what a registry serves).
 */

/** Registered algorithm -> number of lower-case hex digits. */
export const DIGEST_ALGORITHMS: ReadonlyArray<readonly [string, number]> = [['sha256', 64], ['sha512', 128]];

/** The end of a digest-pinned reference, as a regular expression source (valid in RE2/CEL and JavaScript). */
export const DIGEST_SUFFIX = `@(${DIGEST_ALGORITHMS.map(([alg, hex]) => `${alg}:[a-f0-9]{${hex}}`).join('|')})$`;

/** An image reference pinned by digest. */
export const DIGEST_PINNED = new RegExp(DIGEST_SUFFIX);

/** How to write a pinned reference: `<repo>@sha256:<64 hex digits>' or '<repo>@sha512:<128 hex digits>`, joined by `or`. */
export function digestForms(repository: string, quote = ''): string {
  return DIGEST_ALGORITHMS.map(([alg, hex]) => `${quote}${repository}@${alg}:<${hex} hex digits>${quote}`).join(' or ');
}
