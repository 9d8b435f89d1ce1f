/**
 * Chooses the tfjs backend — the only module in the lab that imports the tfjs backends.
 *
 * Order: WebGPU (only when `navigator.gpu.requestAdapter()` returns a hardware adapter), WebGL (not on
 * a software renderer), WASM, CPU. `?backend=webgpu|webgl|wasm|cpu` moves one to the front and is
 * honoured even on a software GPU. Runs in the model worker (lib/worker) or, as a fallback, the page.
 * Everything tfjs is loaded with dynamic `import()`, so a page pays for tfjs only once it calls
 * `initBackend`.
 */
import { assetPath } from '../paths';
import { BACKEND_ORDER, parseBackendParam, setBackendState, getBackendState, type BackendName, type BackendReport } from './store';

export type { BackendName, BackendReport };
export { parseBackendParam };

type Tf = typeof import('@tensorflow/tfjs-core');

/** The note shown for software adapters such as SwiftShader (only when one was asked for with ?backend=). */
export const SOFTWARE_GPU_NOTE = 'software GPU — timings not representative';

/** Why a software GPU was passed over, and the badge's note when WebAssembly runs instead. */
export const SOFTWARE_WEBGPU_REASON = 'WebGPU is available only as a software renderer here, so this page uses WebAssembly';
export const SOFTWARE_WEBGL_REASON = 'WebGL is available only as a software renderer here (SwiftShader)';

export interface InitOptions {
  /** Where tfjs-backend-wasm finds its .wasm files; an absolute URL inside a worker. Default: assetPath('/tfjs-wasm/'). */
  wasmPath?: string;
}

/** A backend could not start; `reason` is written for the user. */
export class BackendSkipped extends Error {
  constructor(
    readonly backend: BackendName,
    readonly reason: string,
  ) {
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
export function initBackend(requested: BackendName | null = null, options: InitOptions = {}): Promise<BackendReport> {
  if (!pending) {
    setBackendState({ status: 'loading', requested });
    pending = chooseBackend(requested, options).then(
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
  // In a worker there is no window (and `location` is the worker script's URL): the engine's init came
  // first there. Not `typeof window`: Next compiles that to a constant in browser bundles, workers too.
  const page = (globalThis as { window?: { location: { search: string } } }).window;
  const requested = page ? parseBackendParam(page.location.search) : null;
  await initBackend(requested);
  return import('@tensorflow/tfjs-core');
}

/** `requested` first, then the usual order. */
export function backendCandidates(requested: BackendName | null): BackendName[] {
  return requested ? [requested, ...BACKEND_ORDER.filter((n) => n !== requested)] : [...BACKEND_ORDER];
}

/**
 * A software GPU (SwiftShader, a fallback adapter) is slower than WebAssembly on the same CPU and makes
 * the first step take seconds while it compiles: the lab never picks one by itself, only when asked.
 */
async function chooseBackend(requested: BackendName | null, options: InitOptions): Promise<BackendReport> {
  if (typeof navigator === 'undefined') throw new Error('tfjs runs only in the browser.');
  const tf = await import('@tensorflow/tfjs-core');
  const skipped: BackendReport['skipped'] = [];
  for (const name of backendCandidates(requested)) {
    try {
      const adapter = name === 'webgpu' ? await probeWebGPU() : null;
      if (adapter?.software && requested !== 'webgpu') throw new BackendSkipped(name, SOFTWARE_WEBGPU_REASON);
      await startBackend(tf, name, options);
      if (name === 'webgl' && requested !== 'webgl' && isSoftwareWebGL(tf)) {
        tf.removeBackend(name); // frees its GL context before the next candidate starts
        throw new BackendSkipped(name, SOFTWARE_WEBGL_REASON);
      }
      await smokeTest(tf, name);
      const report: BackendReport = { name, requested, adapter, skipped };
      if (adapter?.software) report.note = SOFTWARE_GPU_NOTE;
      if (name === 'wasm' && skipped.some((s) => s.reason === SOFTWARE_WEBGPU_REASON)) report.note = SOFTWARE_WEBGPU_REASON;
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

async function startBackend(tf: Tf, name: BackendName, options: InitOptions): Promise<void> {
  switch (name) {
    case 'webgpu':
      await import('@tensorflow/tfjs-backend-webgpu');
      break;
    case 'webgl':
      await import('@tensorflow/tfjs-backend-webgl');
      break;
    case 'wasm': {
      const wasm = await import('@tensorflow/tfjs-backend-wasm');
      // The .wasm binaries are copied into public/tfjs-wasm/ by scripts/copy-wasm.js at build time.
      wasm.setWasmPaths(options.wasmPath ?? assetPath('/tfjs-wasm/'));
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
}

/** True when tfjs's WebGL context is SwiftShader (Chromium's CPU rasterizer). */
function isSoftwareWebGL(tf: Tf): boolean {
  const gl = (tf.backend() as unknown as { gpgpu?: { gl?: WebGLRenderingContext } }).gpgpu?.gl;
  if (!gl) return false;
  const ext = gl.getExtension('WEBGL_debug_renderer_info');
  const renderer = String(gl.getParameter(ext ? ext.UNMASKED_RENDERER_WEBGL : gl.RENDERER) ?? '');
  return /swiftshader|llvmpipe|software/i.test(renderer);
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

/**
 * Name an adapter and tell whether it is a software rasterizer: SwiftShader (Chromium's own), Mesa's
 * llvmpipe/lavapipe (what Linux without a GPU driver offers through Vulkan), or a fallback adapter.
 */
export function describeAdapter(info: AdapterInfoLike, isFallback = false): NonNullable<BackendReport['adapter']> {
  const vendor = info.vendor || 'unknown vendor';
  const architecture = info.architecture || 'unknown architecture';
  const description = info.description || undefined;
  const text = `${info.vendor ?? ''} ${info.architecture ?? ''} ${info.description ?? ''}`.toLowerCase();
  const software = isFallback || /swiftshader|llvmpipe|lavapipe|softpipe/.test(text);
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
