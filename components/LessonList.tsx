import Link from 'next/link';
import { lessons } from '@/content/lessons';

/** The numbered lesson cards of the contents page (also on the 404 page, as the way back in). */
export function LessonList() {
  return (
    <ol className="lesson-list">
      {lessons.map((lesson, i) => (
        <li key={lesson.slug} className="lesson-card">
          <span className="lesson-number" aria-hidden="true">
            {String(i + 1).padStart(2, '0')}
          </span>
          <div className="lesson-card-body">
            <h3>
              <Link href={`/lessons/${lesson.slug}/`}>{lesson.title}</Link>
            </h3>
            <p>{lesson.summary}</p>
            <p className="lesson-meta">
              {lesson.minutes ? <span>{lesson.minutes} min</span> : null}
              <span>{lesson.needsModel ? 'Runs the model in your browser' : 'No model needed'}</span>
            </p>
          </div>
        </li>
      ))}
    </ol>
  );
}
