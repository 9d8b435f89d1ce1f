#!/usr/bin/env node
// A tiny ESM shim: load tsx's loader, then run the TypeScript CLI.
import { register } from 'tsx/esm/api';

register();
await import('../scripts/kvlab.ts');
