import { spawnSync } from 'node:child_process';
import { cp, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { saveModelDir } from '../../lib/gpt/node-io';
import { disposeWeights } from '../../lib/gpt/params';
import { bytes, tinyModel, useCpu } from './gpt-helpers';

/**
 * The command line on broken model folders and a backend's NaN: each is one line on stderr and exit 2
 * (before: a dtype "int32" printed tokens [0,0,0,…] and exited 0, a null entry a TypeError and exit 1).
 */
let root: string;
let good: string;
beforeAll(async () => {
  await useCpu();
  root = await mkdtemp(join(tmpdir(), 'kvlab-cli-errors-'));
  good = join(root, 'good');
  const model = tinyModel({ nLayer: 1, nHead: 2, nKvHead: 1, nEmbd: 8, blockSize: 16 }, 4);
  await saveModelDir(good, model, bytes.toJSON());
  disposeWeights(model.weights);
});
afterAll(() => rm(root, { recursive: true, force: true }));

const kvlab = (...args: string[]) => spawnSync('node', ['bin/kvlab.js', ...args], { encoding: 'utf8', timeout: 60_000 });

type Edit = (file: Buffer) => Buffer | string;
async function corrupt(name: string, file: string, edit: Edit): Promise<string> {
  const d = join(root, name);
  await cp(good, d, { recursive: true });
  await writeFile(join(d, file), edit(await readFile(join(d, file))));
  return d;
}
const manifest = (edit: (w: Record<string, unknown>[], g: Record<string, unknown>) => void) => (file: Buffer) => {
  const j = JSON.parse(file.toString('utf8'));
  edit(j.weightsManifest[0].weights, j.weightsManifest[0]);
  return JSON.stringify(j);
};

const CASES: [string, string, Edit, RegExp][] = [
  [
    'int32',
    'model.json',
    manifest((w) => void (w[0].dtype = 'int32')),
    /^kvlab: model\.json: tensor "wte\.weight" has dtype "int32"; this lab reads float32 or float16 weights only\. Re-export/,
  ],
  [
    'null-entry',
    'model.json',
    manifest((w) => void (w[3] = null as never)),
    /^kvlab: model\.json: weightsManifest\[0\]\.weights\[3\] is null, not a tensor entry/,
  ],
  [
    'shape-number',
    'model.json',
    manifest((w) => void (w.at(-1)!.shape = 8)),
    /^kvlab: model\.json: tensor "ln_f\.bias" has shape 8, which is not a list of non-negative integers/,
  ],
  [
    'passwd',
    'model.json',
    manifest((_, g) => void (g.paths = ['../../../../../../etc/passwd'])),
    /^kvlab: model\.json: weights path "\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/\.\.\/etc\/passwd" is not a file inside the model folder/,
  ],
  [
    'tokenizer',
    'tokenizer.json',
    () => '{"type":"byte-bpe","version":2}',
    /^kvlab: Invalid byte-bpe tokenizer JSON: "version" must be 1, got 2\. Re-create it/,
  ],
  [
    'config',
    'config.json',
    (b) => b.toString('utf8').replace('"gelu_new"', '"relu"'),
    /^kvlab: config\.json: "activation_function" is "relu"/,
  ],
  [
    'nan-weight',
    'group1-shard1of1.bin',
    (b) => (b.writeFloatLE(NaN, 0), b),
    /^kvlab: group1-shard1of1\.bin: tensor "wte\.weight" holds NaN \(element 0\), so the weights file is damaged/,
  ],
];

describe('kvlab on a broken model', () => {
  for (const [name, file, edit, message] of CASES) {
    it(`exits 2 with one line: ${name}`, async () => {
      const r = kvlab('generate', '--model', await corrupt(name, file, edit), '--prompt', 'Hi', '--tokens', '2');
      expect(r.stdout).toBe('');
      expect(r.stderr.trim().split('\n')).toHaveLength(1);
      expect(r.stderr).toMatch(message);
      expect(r.status).toBe(2);
    });
  }

  it('exits 2 with "try another backend" when the logits are not finite, not tokens [0, 0, …]', async () => {
    // Finite but huge embeddings overflow float32 in LayerNorm's sum, as a half-precision backend would
    // overflow on ordinary weights: every logit becomes NaN.
    const d = join(root, 'overflow');
    await cp(good, d, { recursive: true });
    const bin = await readFile(join(d, 'group1-shard1of1.bin'));
    new Float32Array(bin.buffer, bin.byteOffset, 256 * 8).fill(3e38); // wte.weight comes first: [256, 8]
    await writeFile(join(d, 'group1-shard1of1.bin'), bin);
    const r = kvlab('generate', '--model', d, '--prompt', 'Hi', '--tokens', '2', '--json');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('kvlab: This backend produced invalid numbers (logit 0 is NaN at step 0) — try another backend.\n');
    expect(r.status).toBe(2);
  });

  it("keeps Node's whole argument error, with its hint made concrete", () => {
    const r = kvlab('generate', '--model', good, '--prompt', 'Hi', '--tokens', '-1');
    expect(r.status).toBe(2);
    expect(r.stderr).toBe(
      "kvlab: Option '--tokens' argument is ambiguous. Did you forget to specify the option argument for '--tokens'? " +
        "To specify an option argument starting with a dash use '--tokens=-1'.\n",
    );
    expect(kvlab('generate', '--model', good, '--prompt', 'Hi', '--tokens=-1').stderr).toBe(
      'kvlab: --tokens must be an integer ≥ 1, got "-1"\n',
    );
  });
});
