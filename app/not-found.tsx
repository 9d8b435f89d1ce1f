import type { Metadata } from 'next';
import Link from 'next/link';
import { LessonList } from '@/components/LessonList';

export const metadata: Metadata = { title: 'Page not found' };

/** The 404 page (out/404.html in the export): what happened, and every lesson as a way back in. */
export default function NotFound() {
  return (
    <div className="column">
      <header className="page-header">
        <p className="eyebrow">404 · Page not found</p>
        <h1>There is no page at this address</h1>
        <p className="lede">
          The link may be mistyped or out of date. Every lesson is below; or start from the <Link href="/">contents</Link>.
        </p>
      </header>
      <section aria-labelledby="lessons-heading">
        <h2 id="lessons-heading" className="section-heading">
          Lessons
        </h2>
        <LessonList />
      </section>
    </div>
  );
}
