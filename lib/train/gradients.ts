/**
 * Registers the gradient of every tfjs op, for training (Node only).
 *
 * tfjs-core defines the gradients but registers none; the registrations are the side-effect module
 * `dist/register_all_gradients`, which the full `@tensorflow/tfjs` package merely imports (along with
 * layers, converter and data, none of which we use). Its ESM files import `./gradients`, a name that is
 * both a file and a folder there, which Node's ESM resolver (through tsx) refuses as a directory import;
 * `require` resolves the file first, so the module is loaded that way. It is a second copy of tfjs-core's
 * code, registering into tfjs's global registry and engine, so the tfjs-core that lib/gpt imports sees the
 * gradients. That copy must not create the engine (its tensors would lack their ops): importing
 * tfjs-core first creates it.
 */
import '@tensorflow/tfjs-core';
import { createRequire } from 'node:module';

createRequire(import.meta.url)('@tensorflow/tfjs-core/dist/register_all_gradients');
