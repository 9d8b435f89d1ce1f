/**
 * Security headers for every response, and the Content-Security-Policy of each HTML page.
 *
 * Next's static export puts inline <script> tags in every page (the RSC payload, `self.__next_f.push`).
 * Rather than allow every inline script with 'unsafe-inline', the server hashes the inline scripts of
 * the page it is sending and allows exactly those. tfjs's WebAssembly backend compiles its .wasm at
 * run time, which needs 'wasm-unsafe-eval' (it does not allow JavaScript eval). React and KaTeX set
 * `style` attributes, hence 'unsafe-inline' for styles only. Nothing is allowed from another origin.
 */
import { createHash } from 'node:crypto';

/** Headers sent with every response, whatever it is. */
export const BASE_HEADERS: Readonly<Record<string, string>> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=()',
};

/** The 'sha256-…' source of every inline script (one without src) in an HTML document. */
export function inlineScriptHashes(html: string): string[] {
  const hashes = new Set<string>();
  for (const m of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(m[1])) continue;
    hashes.add(`'sha256-${createHash('sha256').update(m[2], 'utf8').digest('base64')}'`);
  }
  return [...hashes];
}

/** The policy for a page whose inline scripts have these hashes (none for non-HTML responses). */
export function contentSecurityPolicy(scriptHashes: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'wasm-unsafe-eval'${scriptHashes.length ? ' ' + scriptHashes.join(' ') : ''}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}
