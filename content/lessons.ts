/**
 * The lesson registry: one typed list that drives the home page, the static lesson routes and the
 * previous/next pager. To add a lesson: write `content/<slug>.mdx`, append its entry here, and add its
 * one-line loader to `content/lesson-modules.ts` (the type check fails until you do).
 *
 * This file deliberately imports no MDX: the home page imports it, and any import reachable from a
 * page — even a lazy one — puts that lesson's client components into the page's first-load JavaScript.
 */

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
}

const registry = [
  {
    slug: 'what-the-kv-cache-is-for',
    title: 'What the KV cache is for',
    summary:
      'Why generating text one token at a time repeats most of its work, what a KV cache keeps so that it does not, and what that costs in memory.',
    minutes: 12,
    needsModel: false,
  },
  {
    slug: 'one-token-at-a-time',
    title: 'One token at a time',
    summary:
      'Step a small Austen-trained GPT through a generation and count what each step reads: the whole text again, or one new token and a cache.',
    minutes: 10,
    needsModel: true,
  },
  {
    slug: 'queries-keys-values',
    title: 'Queries, keys and values',
    summary:
      "Look inside one attention head of the running model: the new token's query, the cached keys and values, and every step from scores to output.",
    minutes: 15,
    needsModel: true,
  },
  {
    slug: 'cache-row-by-row',
    title: 'The KV cache, row by row',
    summary:
      'Open the cache: every layer gains one row of keys and one of values per step, the query is thrown away, and fewer key/value heads make it smaller.',
    minutes: 12,
    needsModel: true,
  },
  {
    slug: 'race',
    title: 'Race: cached against naive',
    summary:
      'Time both generators on your own device, token by token, and see when the cache pays off — and why a GPU can hide the difference.',
    minutes: 12,
    needsModel: true,
  },
  {
    slug: 'prefill-and-decode',
    title: 'Prefill and decode',
    summary: 'Time to first token against time per token as the prompt grows, and a prompt fed in chunks through the cache.',
    minutes: 12,
    needsModel: true,
  },
  {
    slug: 'how-big-is-the-cache',
    title: 'How big is the cache?',
    summary:
      'One formula for the cache of any model: work it out for Llama, Mistral, Falcon, Qwen and DeepSeek, check figures that get copied around, and match it against the cache running in your browser.',
    minutes: 12,
    needsModel: true,
  },
  {
    slug: 'fewer-kv-heads',
    title: 'Fewer key/value heads: MQA and GQA',
    summary:
      'Let query heads share keys and values: three Austen models with 4, 2 and 1 key/value heads, their cache bytes and their loss on held-out text, measured in your browser.',
    minutes: 12,
    needsModel: true,
  },
  {
    slug: 'quantized-cache',
    title: 'Smaller numbers: a quantized cache',
    summary:
      'Store the cache as 8-bit and 4-bit integers with a scale per group — per token, or per channel for keys as KIVI does — and measure what it costs the model.',
    minutes: 12,
    needsModel: true,
  },
  {
    slug: 'latent-cache',
    title: 'Latent caches: MLA',
    summary:
      "DeepSeek's multi-head latent attention with its real numbers, and a post-hoc version on our model: cache a rank-r latent instead of K and V, and watch the loss as r shrinks.",
    minutes: 12,
    needsModel: true,
  },
  {
    slug: 'keep-less',
    title: 'Keep less: windows, sinks and heavy hitters',
    summary:
      'Evict cache rows with a sliding window, attention sinks or H2O, watch what the model keeps, and measure what each costs in loss on unseen text.',
    minutes: 15,
    needsModel: true,
  },
  {
    slug: 'serving-many',
    title: 'Serving many: the paged cache',
    summary:
      'A server in the page: sessions decode through a pool of 16-position blocks with block tables, against a contiguous allocator that reserves the whole context; then the arithmetic for a 70B model on one GPU.',
    minutes: 15,
    needsModel: true,
  },
  {
    slug: 'shared-beginnings',
    title: 'Shared beginnings: prefix caching',
    summary:
      'Sessions that start with the same system prompt point at the same blocks: reference counts, copy-on-write, time to first token with and without sharing, and the same continuations either way.',
    minutes: 10,
    needsModel: true,
  },
] as const satisfies readonly Lesson[];

/** The slug of a lesson in the registry. */
export type LessonSlug = (typeof registry)[number]['slug'];

/** Every lesson, in reading order. */
export const lessons: readonly Lesson[] = registry;

/** The lesson with this slug, or undefined. */
export function findLesson(slug: string): Lesson | undefined {
  return lessons.find((l) => l.slug === slug);
}

/** The lessons before and after `slug` in the registry (undefined at either end). */
export function lessonNeighbours(slug: string): { index: number; previous?: Lesson; next?: Lesson } {
  const index = lessons.findIndex((l) => l.slug === slug);
  return { index, previous: index > 0 ? lessons[index - 1] : undefined, next: index >= 0 ? lessons[index + 1] : undefined };
}
