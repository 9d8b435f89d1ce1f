import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { Pager } from '@/components/notebook/Pager';
import { Presenter } from '@/components/notebook/Presenter';
import { findLesson, lessonNeighbours, lessons, type LessonSlug } from '@/content/lessons';
import { lessonModules } from '@/content/lesson-modules';
import 'katex/dist/katex.min.css';

export const dynamicParams = false;

export function generateStaticParams() {
  return lessons.map((lesson) => ({ slug: lesson.slug }));
}

type Props = { params: Promise<{ slug: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const lesson = findLesson((await params).slug);
  return lesson ? { title: lesson.title, description: lesson.summary } : {};
}

export default async function LessonPage({ params }: Props) {
  const { slug } = await params;
  const lesson = findLesson(slug);
  if (!lesson) notFound();
  const { default: Content } = await lessonModules[lesson.slug as LessonSlug]();
  const { index } = lessonNeighbours(slug);
  return (
    <article className="column lesson">
      <header className="page-header">
        <p className="eyebrow">
          Lesson {index + 1} of {lessons.length}
          {lesson.minutes ? ` · about ${lesson.minutes} minutes` : ''}
        </p>
        <h1>{lesson.title}</h1>
        <p className="lede">{lesson.summary}</p>
        <Presenter title={lesson.title} />
      </header>
      <div className="notebook">
        <Content />
      </div>
      <Pager slug={slug} />
    </article>
  );
}
