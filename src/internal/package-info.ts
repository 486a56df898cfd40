import * as fs from 'fs';
import * as path from 'path';

/** What the tools print about themselves, read from this package's package.json. */
export interface PackageInfo {
  readonly version: string;
  /** Web address of the repository, e.g. `https://github.com/owner/name`. */
  readonly homepage: string;
}

let cached: PackageInfo | undefined;

/** This package's version and repository (package.json sits two folders above `src/internal` and `lib/internal`). */
export function packageInfo(): PackageInfo {
  if (!cached) {
    const pkg = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'package.json'), 'utf-8'));
    cached = { version: pkg.version, homepage: String(pkg.repository.url).replace(/^git\+/, '').replace(/\.git$/, '') };
  }
  return cached;
}
