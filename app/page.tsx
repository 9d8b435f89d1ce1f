import Link from 'next/link';
import { LessonList } from '@/components/LessonList';

export default function Home() {
  return (
    <div className="column">
      <header className="page-header">
        <p className="eyebrow">An interactive notebook</p>
        <h1>How the KV cache makes text generation fast</h1>
        <p className="lede">
          A language model writes one token at a time, and without help it redoes most of its work at every step. These lessons show why,
          and what a key–value cache changes — with live cells you can play with and, in later lessons, a small GPT running right here in
          your browser.
        </p>
      </header>
      <section aria-labelledby="lessons-heading">
        <h2 id="lessons-heading" className="section-heading">
          Lessons
        </h2>
        <LessonList />
      </section>
      <p className="home-device">
        Teaching a workshop? Open <Link href="/device/">Your device</Link> on each laptop to see which backend the model will run on.
      </p>
    </div>
  );
}
