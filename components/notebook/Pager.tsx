import Link from 'next/link';
import { lessonNeighbours } from '@/content/lessons';

/** Previous / next lesson links, driven by the registry order. */
export function Pager({ slug }: { slug: string }) {
  const { previous, next } = lessonNeighbours(slug);
  return (
    <nav className="pager" aria-label="Lessons">
      {previous ? (
        <Link className="pager-link pager-prev" href={`/lessons/${previous.slug}/`} rel="prev">
          <span className="pager-dir">← Previous</span>
          <span className="pager-title">{previous.title}</span>
        </Link>
      ) : (
        <Link className="pager-link pager-prev" href="/">
          <span className="pager-dir">← All lessons</span>
          <span className="pager-title">Contents</span>
        </Link>
      )}
      {next ? (
        <Link className="pager-link pager-next" href={`/lessons/${next.slug}/`} rel="next">
          <span className="pager-dir">Next →</span>
          <span className="pager-title">{next.title}</span>
        </Link>
      ) : (
        <span className="pager-link pager-next pager-end">
          <span className="pager-dir">That is the last lesson so far</span>
          <span className="pager-title">More are on the way</span>
        </span>
      )}
    </nav>
  );
}
