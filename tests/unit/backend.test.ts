import { describe, expect, it } from 'vitest';
import { backendCandidates, describeAdapter, initBackend, parseBackendParam, SOFTWARE_GPU_NOTE } from '@/lib/backend';
import { getBackendState } from '@/lib/backend/store';

describe('parseBackendParam', () => {
  it('reads each known backend from the query string', () => {
    for (const name of ['webgpu', 'webgl', 'wasm', 'cpu']) expect(parseBackendParam(`?backend=${name}`)).toBe(name);
    expect(parseBackendParam('?x=1&backend=WASM')).toBe('wasm');
  });

  it('returns null for a missing or unknown backend', () => {
    expect(parseBackendParam('')).toBeNull();
    expect(parseBackendParam('?backend=cuda')).toBeNull();
    expect(parseBackendParam('?backend=')).toBeNull();
  });
});

describe('backendCandidates', () => {
  it('tries WebGPU, WebGL, WASM, CPU by default', () => {
    expect(backendCandidates(null)).toEqual(['webgpu', 'webgl', 'wasm', 'cpu']);
  });

  it('puts a requested backend first and keeps the rest as fallbacks', () => {
    expect(backendCandidates('wasm')).toEqual(['wasm', 'webgpu', 'webgl', 'cpu']);
  });
});

describe('describeAdapter', () => {
  it('flags SwiftShader as a software GPU', () => {
    const a = describeAdapter({ vendor: 'google', architecture: 'swiftshader', description: 'SwiftShader Device (Subzero)' });
    expect(a).toMatchObject({ vendor: 'google', architecture: 'swiftshader', software: true });
    expect(SOFTWARE_GPU_NOTE).toBe('software GPU — timings not representative');
  });

  it("flags Mesa's llvmpipe (lavapipe over Vulkan) as a software GPU", () => {
    expect(describeAdapter({ vendor: 'mesa', architecture: '', description: 'llvmpipe (LLVM 15.0.7, 256 bits)' }).software).toBe(true);
  });

  it('flags a fallback adapter as software and a real GPU as hardware', () => {
    expect(describeAdapter({ vendor: 'x' }, true).software).toBe(true);
    expect(describeAdapter({ vendor: 'nvidia', architecture: 'ampere' }).software).toBe(false);
  });

  it('names unknown fields instead of leaving them blank', () => {
    expect(describeAdapter({})).toMatchObject({ vendor: 'unknown vendor', architecture: 'unknown architecture' });
  });
});

describe('initBackend outside a browser', () => {
  it('rejects with a clear message and records the error for the badge', async () => {
    await expect(initBackend()).rejects.toThrow('tfjs runs only in the browser.');
    expect(getBackendState()).toEqual({ status: 'error', message: 'tfjs runs only in the browser.' });
  });
});
