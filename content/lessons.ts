/**
 * The lesson registry: one typed list that drives the home page, the static lesson routes and the
 * previous/next pager. Adding a lesson is two lines: write `content/<slug>.mdx`, then append an entry
 * here.
 */
import type { ComponentType } from 'react';

export interface Lesson {
  /** URL segment and MDX file name: `/lessons/<slug>/` ← `content/<slug>.mdx`. */
  slug: string;
  title: string;
  /** One sentence for the contents page and the lesson header. */
  summary: string;
  /** Rough reading-and-playing time. */
  minutes?: number;
  /** True when the lesson's cells run the in-browser GPT (and so load tfjs and weights). */
  needsModel: boolean;
  /** The compiled MDX module; imported only when the lesson page is built. */
  load: () => Promise<{ default: ComponentType }>;
}

export const lessons: readonly Lesson[] = [
  {
    slug: 'what-the-kv-cache-is-for',
    title: 'What the KV cache is for',
    summary:
      'Why generating text one token at a time repeats most of its work, what a KV cache keeps so that it does not, and what that costs in memory.',
    minutes: 12,
    needsModel: false,
    load: () => import('./what-the-kv-cache-is-for.mdx'),
  },
];

/** The lesson with this slug, or undefined. */
export function findLesson(slug: string): Lesson | undefined {
  return lessons.find((l) => l.slug === slug);
}

/** The lessons before and after `slug` in the registry (undefined at either end). */
export function lessonNeighbours(slug: string): { index: number; previous?: Lesson; next?: Lesson } {
  const index = lessons.findIndex((l) => l.slug === slug);
  return { index, previous: index > 0 ? lessons[index - 1] : undefined, next: index >= 0 ? lessons[index + 1] : undefined };
}
