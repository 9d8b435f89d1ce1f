#!/usr/bin/env node
// Copies the tfjs WASM backend's binaries into public/tfjs-wasm/ so the static site serves them from
// its own origin (lib/backend/index.ts points setWasmPaths there). Runs before `next build` and `next dev`.
import { copyFileSync, mkdirSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const from = join(root, 'node_modules/@tensorflow/tfjs-backend-wasm/dist');
const to = join(root, 'public/tfjs-wasm');
mkdirSync(to, { recursive: true });
const files = readdirSync(from).filter((f) => f.endsWith('.wasm'));
if (files.length === 0) throw new Error(`No .wasm files in ${from}; is @tensorflow/tfjs-backend-wasm installed?`);
for (const f of files) copyFileSync(join(from, f), join(to, f));
console.log(`copy-wasm: ${files.length} files → public/tfjs-wasm/`);
