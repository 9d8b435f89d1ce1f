/**
 * Slug → compiled MDX, one line per lesson. Only the lesson route imports this file, so lesson
 * components never reach the home page's JavaScript. Keyed by `LessonSlug`: a lesson missing here
 * (or a stray entry) is a type error.
 */
import type { ComponentType } from 'react';
import type { LessonSlug } from './lessons';

export const lessonModules: Record<LessonSlug, () => Promise<{ default: ComponentType }>> = {
  'what-the-kv-cache-is-for': () => import('./what-the-kv-cache-is-for.mdx'),
  'one-token-at-a-time': () => import('./one-token-at-a-time.mdx'),
  'queries-keys-values': () => import('./queries-keys-values.mdx'),
  'cache-row-by-row': () => import('./cache-row-by-row.mdx'),
  race: () => import('./race.mdx'),
  'prefill-and-decode': () => import('./prefill-and-decode.mdx'),
  'how-big-is-the-cache': () => import('./how-big-is-the-cache.mdx'),
  'fewer-kv-heads': () => import('./fewer-kv-heads.mdx'),
  'quantized-cache': () => import('./quantized-cache.mdx'),
  'latent-cache': () => import('./latent-cache.mdx'),
};
