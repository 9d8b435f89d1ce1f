/**
 * Same-origin URLs for files the static site serves (wasm binaries, model weights, …).
 *
 * Every fetch of a site asset goes through `assetPath`, so the lab keeps working when the export is
 * hosted under a sub-path (set NEXT_PUBLIC_BASE_PATH at build time; next.config.js reads it too).
 */
export const BASE_PATH: string = (process.env.NEXT_PUBLIC_BASE_PATH ?? '').replace(/\/+$/, '');

/** `assetPath('/models/tiny/config.json')` → `/models/tiny/config.json` (prefixed with the base path). */
export function assetPath(path: string): string {
  const clean = path.startsWith('/') ? path : `/${path}`;
  return `${BASE_PATH}${clean}`;
}
