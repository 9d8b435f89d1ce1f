import type { Metadata } from 'next';
import { ClassResults } from '@/components/class/ClassResults';

export const metadata: Metadata = {
  title: 'The class’s results',
  description: 'The race results of everyone in the room, live, when the lab is served by kvlab serve.',
};

export default function ClassPage() {
  return (
    <div className="column">
      <header className="page-header">
        <p className="eyebrow">Workshop</p>
        <h1>The class’s results</h1>
        <p className="lede">How much the KV cache sped up generation on every device in the room.</p>
      </header>
      <ClassResults />
    </div>
  );
}
