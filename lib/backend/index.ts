/**
 * Chooses the tfjs backend — the only module in the lab that imports the tfjs backends.
 *
 * Order: WebGPU (only when `navigator.gpu.requestAdapter()` returns an adapter), WebGL, WASM, CPU.
 * `?backend=webgpu|webgl|wasm|cpu` moves one to the front. Everything tfjs is loaded with dynamic
 * `import()`, so a page pays for tfjs only once it calls `initBackend`.
 */
import { assetPath } from '../paths';
import {
  BACKEND_ORDER,
  parseBackendParam,
  setBackendState,
  getBackendState,
  type BackendName,
  type BackendReport,
} from './store';

export type { BackendName, BackendReport };
export { parseBackendParam };

type Tf = typeof import('@tensorflow/tfjs-core');

/** The note shown for software adapters such as SwiftShader. */
export const SOFTWARE_GPU_NOTE = 'software GPU — timings not representative';

/** A backend could not start; `reason` is written for the user. */
export class BackendSkipped extends Error {
  constructor(readonly backend: BackendName, readonly reason: string) {
    super(`${backend}: ${reason}`);
    this.name = 'BackendSkipped';
  }
}

// Just enough of the WebGPU types; TypeScript's DOM lib does not ship them.
interface AdapterInfoLike {
  vendor?: string;
  architecture?: string;
  description?: string;
  isFallbackAdapter?: boolean;
}
interface AdapterLike {
  info?: AdapterInfoLike;
  isFallbackAdapter?: boolean;
  requestAdapterInfo?: () => Promise<AdapterInfoLike>;
}
interface GpuLike {
  requestAdapter(options?: { powerPreference?: string }): Promise<AdapterLike | null>;
}
interface DeviceLike {
  lost?: Promise<{ reason?: string; message?: string }>;
}

let pending: Promise<BackendReport> | null = null;

/**
 * Start tfjs on the best backend this browser offers (or on `requested` when it works).
 * Idempotent: later calls return the first call's report, whatever they ask for — reload the page
 * with `?backend=` to choose again. Also publishes progress to `lib/backend-store` for the badge.
 */
export function initBackend(requested: BackendName | null = null): Promise<BackendReport> {
  if (!pending) {
    setBackendState({ status: 'loading', requested });
    pending = chooseBackend(requested).then(
      (report) => {
        setBackendState({ status: 'ready', report });
        return report;
      },
      (error: unknown) => {
        const message = error instanceof Error ? error.message : String(error);
        setBackendState({ status: 'error', message });
        pending = null;
        throw error;
      },
    );
  }
  return pending;
}

/**
 * tfjs-core once a backend runs. Starts the chooser (honouring `?backend=` in the page URL) if no
 * one has yet. Model code uses this rather than importing a backend itself.
 */
export async function loadTf(): Promise<Tf> {
  const requested = typeof location === 'undefined' ? null : parseBackendParam(location.search);
  await initBackend(requested);
  return import('@tensorflow/tfjs-core');
}

/** `requested` first, then the usual order. */
export function backendCandidates(requested: BackendName | null): BackendName[] {
  return requested ? [requested, ...BACKEND_ORDER.filter((n) => n !== requested)] : [...BACKEND_ORDER];
}

async function chooseBackend(requested: BackendName | null): Promise<BackendReport> {
  if (typeof window === 'undefined') throw new Error('tfjs runs only in the browser.');
  const tf = await import('@tensorflow/tfjs-core');
  const skipped: BackendReport['skipped'] = [];
  for (const name of backendCandidates(requested)) {
    try {
      const adapter = await startBackend(tf, name);
      await smokeTest(tf, name);
      const report: BackendReport = { name, requested, adapter, skipped };
      if (adapter?.software) report.note = SOFTWARE_GPU_NOTE;
      if (name === 'webgpu') watchDeviceLoss(tf);
      return report;
    } catch (error) {
      const reason =
        error instanceof BackendSkipped ? error.reason : `failed to start: ${error instanceof Error ? error.message : String(error)}`;
      skipped.push({ name, reason });
    }
  }
  throw new Error(`No tfjs backend could start (${skipped.map((s) => `${s.name}: ${s.reason}`).join('; ')}).`);
}

async function startBackend(tf: Tf, name: BackendName): Promise<BackendReport['adapter']> {
  let adapter: BackendReport['adapter'] = null;
  switch (name) {
    case 'webgpu':
      adapter = await probeWebGPU();
      await import('@tensorflow/tfjs-backend-webgpu');
      break;
    case 'webgl':
      await import('@tensorflow/tfjs-backend-webgl');
      break;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // The .wasm binaries are copied into public/tfjs-wasm/ by scripts/copy-wasm.js at build time.
      wasm.setWasmPaths(assetPath('/tfjs-wasm/'));
      break;
    }
    case 'cpu':
      await import('@tensorflow/tfjs-backend-cpu');
      break;
  }
  const ok = await tf.setBackend(name);
  if (!ok) {
    const why: Record<BackendName, string> = {
      webgpu: 'the WebGPU device could not be created',
      webgl: 'this browser could not create a WebGL context',
      wasm: `the WebAssembly module could not be loaded from ${assetPath('/tfjs-wasm/')}`,
      cpu: 'the CPU backend could not start',
    };
    throw new BackendSkipped(name, why[name]);
  }
  await tf.ready();
  return adapter;
}

async function probeWebGPU(): Promise<NonNullable<BackendReport['adapter']>> {
  const gpu = (navigator as unknown as { gpu?: GpuLike }).gpu;
  if (!gpu) throw new BackendSkipped('webgpu', 'this browser has no WebGPU (navigator.gpu is missing)');
  const adapter = await gpu.requestAdapter({ powerPreference: 'high-performance' });
  if (!adapter) {
    throw new BackendSkipped('webgpu', 'navigator.gpu.requestAdapter() returned no adapter (WebGPU is off or unsupported here)');
  }
  const info: AdapterInfoLike = adapter.info ?? (await adapter.requestAdapterInfo?.()) ?? {};
  return describeAdapter(info, Boolean(adapter.isFallbackAdapter ?? info.isFallbackAdapter));
}

/** Name an adapter and tell whether it is a software rasterizer (SwiftShader or a fallback adapter). */
export function describeAdapter(info: AdapterInfoLike, isFallback = false): NonNullable<BackendReport['adapter']> {
  const vendor = info.vendor || 'unknown vendor';
  const architecture = info.architecture || 'unknown architecture';
  const description = info.description || undefined;
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`.toLowerCase();
  const software = isFallback || text.includes('swiftshader');
  return { vendor, architecture, description, software };
}

/** A backend that starts but cannot add 1 + 2 is no use to anyone. */
async function smokeTest(tf: Tf, name: BackendName): Promise<void> {
  const sum = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
  const [value] = await sum.data();
  sum.dispose();
  if (value !== 3) throw new BackendSkipped(name, `a test sum gave ${value} instead of 3`);
}

function watchDeviceLoss(tf: Tf): void {
  const device = (tf.backend() as unknown as { device?: DeviceLike }).device;
  device?.lost?.then((info) => {
    // 'destroyed' means we (or tfjs) disposed the device on purpose.
    if (info.reason === 'destroyed') return;
    const state = getBackendState();
    if (state.status !== 'ready' || state.report.name !== 'webgpu') return;
    const lost = `the WebGPU device was lost${info.message ? `: ${info.message}` : ''} — reload the page or pick another backend`;
    setBackendState({ status: 'ready', report: { ...state.report, lost } });
  });
}
