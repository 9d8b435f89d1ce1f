import type { Metadata } from 'next';
import { BenchLab } from '@/components/bench/BenchLab';

export const metadata: Metadata = {
  title: 'Bench',
  description: 'The KV cache bench on this device: naive and cached decode steps at several positions and model sizes.',
};

export default function BenchPage() {
  return (
    <div className="column">
      <header className="page-header">
        <p className="eyebrow">For instructors</p>
        <h1>Bench</h1>
        <p className="lede">
          The same measurements as <code>npm run bench</code>, on this browser&apos;s backend: how long one token takes
          without the cache and with it, at several positions. Download the JSON to collect results from a room of laptops.
        </p>
      </header>
      <BenchLab />
    </div>
  );
}
