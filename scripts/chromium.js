// How every browser run of the lab launches Chromium: the Playwright tests, scripts/race-report.js.
// `--enable-unsafe-webgpu` turns WebGPU on even without a GPU (it then runs on SwiftShader); the
// background-networking flags keep Chromium from calling out of a machine with no network.

/** Debian's Chromium unless CHROMIUM_PATH names another binary. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--no-first-run',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
