import type { MDXComponents } from 'mdx/types';
import { Aside, Cell } from '@/components/notebook/Cell';

// Components every lesson may use without importing them. Lesson-specific live cells are imported
// by the lesson's own MDX file, so one lesson's cells never load on another lesson's page.
const components: MDXComponents = {
  Cell,
  Aside,
};

/** Required at the project root by @next/mdx with the App Router. */
export function useMDXComponents(): MDXComponents {
  return components;
}
