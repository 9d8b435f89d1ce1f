/**
 * URL path → file under the served folder, as a pure function so every odd request can be unit tested.
 *
 * The old scripts/serve.js normalized with `path.normalize`, which turned `/.//device` into `//device`
 * and then redirected there: a protocol-relative URL, i.e. off-site. Here a path is split into
 * decoded segments and rebuilt, so a Location we send always starts with exactly one slash followed by
 * a percent-encoded segment, and can never name another host.
 */

/** A request path that cannot be decoded (`/%`, `/%zz`) or that holds a NUL byte. */
export class BadPathError extends Error {
  override name = 'BadPathError';
}

export interface CanonicalPath {
  /** Decoded segments with `.`, `..` and empty segments resolved; never climbs above the root. */
  segments: string[];
  /** True when the request ended with a slash (a folder). */
  trailingSlash: boolean;
  /** True when the request spelled the path some other way (`//`, `/./`, `/../`, `\`). */
  changed: boolean;
}

/** Splits and decodes a URL pathname (no query). Throws BadPathError on a malformed escape. */
export function canonicalPath(pathname: string): CanonicalPath {
  const raw = pathname.split('/');
  const segments: string[] = [];
  let changed = !pathname.startsWith('/');
  raw.forEach((part, i) => {
    let seg: string;
    try {
      seg = decodeURIComponent(part);
    } catch {
      throw new BadPathError(`malformed escape in "${pathname.slice(0, 80)}"`);
    }
    if (seg.includes('\0')) throw new BadPathError('NUL byte in path');
    const last = i === raw.length - 1;
    // An escaped slash or backslash inside a segment is a path separator to the file system: split it too.
    const parts = seg.split(/[/\\]/);
    if (parts.length > 1) changed = true;
    for (const p of parts) {
      if (p === '' || p === '.') {
        if (i > 0 && !last) changed = true;
        continue;
      }
      if (p === '..') {
        segments.pop();
        changed = true;
        continue;
      }
      segments.push(p);
    }
  });
  const trailingSlash = pathname.endsWith('/') && segments.length > 0;
  return { segments, trailingSlash, changed };
}

/** The one safe spelling of a canonical path for a Location header: `/a/b/` (never `//…`). */
export function locationFor(segments: readonly string[], folder: boolean, search = ''): string {
  const path = segments.map(encodeURIComponent).join('/');
  return `/${path}${folder && path ? '/' : ''}${search}`;
}
