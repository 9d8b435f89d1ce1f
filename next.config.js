import createMDX from '@next/mdx';

/**
 * Static export: `next build` writes a self-contained site to out/ that any static host (or
 * `npx kvlab serve`) can serve with no network. NEXT_PUBLIC_BASE_PATH lets the same build live
 * under a sub-path; lib/paths.ts reads the same variable so fetched assets follow it.
 */
const basePath = process.env.NEXT_PUBLIC_BASE_PATH || '';

/** @type {import('next').NextConfig} */
const nextConfig = {
  output: 'export',
  trailingSlash: true,
  basePath: basePath || undefined,
  images: { unoptimized: true },
  reactStrictMode: true,
};

// Turbopack (the default bundler of `next build` in Next 16) can only take MDX plugins by name.
const withMDX = createMDX({
  options: {
    remarkPlugins: ['remark-math'],
    rehypePlugins: [['rehype-katex', { output: 'htmlAndMathml' }]],
  },
});

export default withMDX(nextConfig);
