/**
 * tfjs's WebGPU backend in Node, through Dawn's bindings (the npm package `webgpu`).
 *
 * Works here over Mesa's lavapipe (a software Vulkan driver) from Mesa 23 on: Debian 12's own Mesa
 * 22.3 lavapipe is refused by Dawn ("Vulkan shaderUniform*ArrayDynamicIndexing required": it reports
 * shaderSampledImageArrayDynamicIndexing and shaderStorageImageArrayDynamicIndexing false), while
 * bookworm-backports' Mesa 25.0 passes. A software adapter's timings say nothing about a real GPU, so
 * every row measured on one is labelled software.
 */
export interface NodeWebGPUInfo {
  vendor: string;
  architecture: string;
  description: string;
  /** True for CPU rasterisers (lavapipe/llvmpipe, SwiftShader). */
  software: boolean;
}

export class NodeWebGPUError extends Error {
  override name = 'NodeWebGPUError';
}

/** Puts Dawn's navigator.gpu on globalThis, then loads tfjs-backend-webgpu (which registers itself only if it sees one). */
export async function installNodeWebGPU(): Promise<NodeWebGPUInfo> {
  process.env.XDG_RUNTIME_DIR ??= '/tmp'; // the Vulkan loader complains without one
  const { create, globals } = (await import('webgpu')) as unknown as {
    create(o: string[]): { requestAdapter(): Promise<unknown> };
    globals: object;
  };
  Object.assign(globalThis, globals);
  const gpu = create([]);
  Object.defineProperty(globalThis, 'navigator', { value: { ...(globalThis.navigator ?? {}), gpu }, configurable: true, writable: true });
  const adapter = (await gpu.requestAdapter()) as { info?: { vendor?: string; architecture?: string; description?: string } } | null;
  if (!adapter) {
    throw new NodeWebGPUError(
      'Dawn found no WebGPU adapter. Without a GPU this needs a software Vulkan driver that Dawn accepts: ' +
        "Mesa ≥ 23's lavapipe (Debian 12: apt-get install -t bookworm-backports mesa-vulkan-drivers); " +
        "Debian 12's own Mesa 22.3 lavapipe lacks shaderSampledImageArrayDynamicIndexing, which Dawn requires",
    );
  }
  await import('@tensorflow/tfjs-backend-webgpu');
  const i = adapter.info ?? {};
  const text = `${i.vendor ?? ''} ${i.architecture ?? ''} ${i.description ?? ''}`.toLowerCase();
  return {
    vendor: i.vendor ?? '',
    architecture: i.architecture ?? '',
    description: i.description ?? '',
    software: /software|llvmpipe|lavapipe|swiftshader|cpu/.test(text),
  };
}
