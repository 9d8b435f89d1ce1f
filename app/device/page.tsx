import type { Metadata } from 'next';
import { DeviceReport } from '@/components/DeviceReport';

export const metadata: Metadata = {
  title: 'Your device',
  description: 'Which tfjs backend runs on this device, on which adapter, and how fast a small computation is.',
};

export default function DevicePage() {
  return (
    <div className="column">
      <header className="page-header">
        <p className="eyebrow">Before a workshop</p>
        <h1>Your device</h1>
        <p className="lede">
          The lab runs its model with TensorFlow.js on the fastest backend this browser offers: WebGPU, then WebGL, then WebAssembly, then
          plain JavaScript. This page shows which one it picked, why it passed over the others, and how long a small computation takes here.
        </p>
      </header>
      <DeviceReport />
    </div>
  );
}
