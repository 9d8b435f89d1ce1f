import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { findLesson, lessonNeighbours, lessons } from '@/content/lessons';
import { lessonModules } from '@/content/lesson-modules';

describe('lesson registry', () => {
  it('has unique, URL-safe slugs, each with an MDX file and a loader', () => {
    const slugs = lessons.map((l) => l.slug);
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const slug of slugs) {
      expect(slug).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(existsSync(new URL(`../../content/${slug}.mdx`, import.meta.url))).toBe(true);
      expect(typeof (lessonModules as Record<string, unknown>)[slug]).toBe('function');
    }
    expect(Object.keys(lessonModules).sort()).toEqual([...slugs].sort());
  });

  it('starts with "What the KV cache is for", which needs no model', () => {
    expect(lessons[0]).toMatchObject({ slug: 'what-the-kv-cache-is-for', title: 'What the KV cache is for', needsModel: false });
  });

  it('pages through the lessons in registry order', () => {
    const first = lessonNeighbours(lessons[0].slug);
    expect(first.index).toBe(0);
    expect(first.previous).toBeUndefined();
    expect(first.next?.slug).toBe(lessons[1]?.slug);
    expect(findLesson('no-such-lesson')).toBeUndefined();
  });
});
