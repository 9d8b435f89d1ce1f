/**
 * Trains a GPT from lib/gpt on the Austen corpus, in Node, on tfjs's wasm backend.
 *
 *   npm run train -- --config scripts/configs/austen.json [--resume] [--steps N] [--stop-at N] [--out DIR]
 *
 * --steps changes the run's length (and so its learning-rate schedule); --stop-at N pauses after step N
 * with the schedule unchanged, to be continued with --resume.
 *
 * Seeded and deterministic: weights and every batch come from the config's seed (batches from
 * (seed, step), so a resumed run continues exactly). Checkpoints go to checkpoints/<name>/, the loss
 * curve to checkpoints/<name>/loss.csv, a summary to checkpoints/<name>/summary.json.
 */
import '../lib/train/gradients'; // tfjs-core alone registers no gradients
import '@tensorflow/tfjs-backend-wasm';
import * as tf from '@tensorflow/tfjs-core';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { loadAusten } from '../lib/train/corpus';
import { type GPTConfig, validateConfig } from '../lib/gpt/config';
import { forward, type GPT } from '../lib/gpt/forward';
import { crossEntropy } from '../lib/gpt/loss';
import { initParamArrays, paramSpecs } from '../lib/gpt/params';
import { loadTokenizer } from '../lib/gpt/tokenizer';
import { type AdamWConfig, adamwStep, initAdamW, lrAt } from '../lib/train/adamw';
import { loadCheckpoint, saveCheckpoint } from '../lib/train/checkpoint';
import { encodeStream, sampleBatch } from '../lib/train/data';
import { meanLoss, unigramLoss } from '../lib/train/evaluate';
import { meanPoolKvHeads } from '../lib/train/gqa';
import { loadInitSource } from '../lib/train/init';

interface TrainConfig {
  name: string;
  seed: number;
  backend: 'wasm' | 'cpu';
  tokenizer: string;
  corpus: string;
  /** Use only the first N characters of each split (smoke runs). */
  charLimit?: number;
  model: Omit<GPTConfig, 'vocabSize'>;
  /**
   * Start from another run: its checkpoint directory or an exported model directory (public/models/…),
   * optionally mean-pooling its K/V heads (GQA). The optimizer starts fresh, with this config's schedule.
   */
  init?: { from: string; meanPoolKvHeads?: number };
  batchSize: number;
  steps: number;
  optimizer: AdamWConfig;
  evalEvery: number;
  evalBatches: number;
  checkpointEvery: number;
}

function parseArgs(argv: string[]): { config: string; resume: boolean; steps?: number; stopAt?: number; out?: string } {
  const value = (flag: string) => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const config = value('--config');
  if (!config) throw new Error('usage: npm run train -- --config <file.json> [--resume] [--steps N] [--stop-at N] [--out DIR]');
  const steps = value('--steps');
  if (steps !== undefined && !(Number(steps) > 0)) throw new Error(`--steps must be a positive number, got "${steps}"`);
  const stopAt = value('--stop-at');
  return {
    config,
    resume: argv.includes('--resume'),
    steps: steps ? Number(steps) : undefined,
    stopAt: stopAt ? Number(stopAt) : undefined,
    out: value('--out'),
  };
}

function fmtTime(s: number): string {
  const m = Math.floor(s / 60);
  return m >= 60 ? `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m` : `${m}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
}

/** One line that rewrites itself on a terminal and prints every 10th step otherwise (logs). */
function progress(step: number, total: number, loss: number, tokPerSec: number, secsLeft: number): void {
  const width = 24;
  const done = Math.round((width * step) / total);
  const line =
    `step ${step}/${total} [${'#'.repeat(done)}${'.'.repeat(width - done)}] loss ${loss.toFixed(3)} ` +
    `| ${Math.round(tokPerSec)} tok/s | ${fmtTime(secsLeft)} left`;
  if (process.stderr.isTTY) process.stderr.write(`\r${line}`);
  else if (step % 10 === 0 || step === total) process.stderr.write(`${line}\n`);
}

/** Initial parameters: a checkpoint to resume, another run to start from, or a fresh seeded init. */
async function initialParams(cfg: TrainConfig, config: GPTConfig, dir: string, resume: boolean) {
  if (resume && fs.existsSync(path.join(dir, 'checkpoint.json'))) {
    const ck = loadCheckpoint(dir);
    return { config: ck.meta.config, params: ck.weights, adam: ck.adam, meta: ck.meta };
  }
  if (cfg.init) {
    const src = await loadInitSource(cfg.init.from);
    console.error(`starting from ${cfg.init.from} (${src.kind}) with a fresh optimizer`);
    const pooled = cfg.init.meanPoolKvHeads
      ? meanPoolKvHeads(src.config, src.params, cfg.init.meanPoolKvHeads)
      : { config: src.config, params: src.params };
    return { config: pooled.config, params: pooled.params, adam: null, meta: null };
  }
  return { config, params: initParamArrays(config, cfg.seed), adam: null, meta: null };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const cfg = JSON.parse(fs.readFileSync(args.config, 'utf8')) as TrainConfig;
  if (args.steps !== undefined) cfg.steps = args.steps;
  await tf.setBackend(cfg.backend);
  const dir = args.out ?? path.join('checkpoints', cfg.name);
  fs.mkdirSync(dir, { recursive: true });

  const tokenizer = loadTokenizer(JSON.parse(fs.readFileSync(cfg.tokenizer, 'utf8')));
  const corpus = loadAusten(cfg.corpus);
  const trainText = cfg.charLimit ? corpus.train.slice(0, cfg.charLimit) : corpus.train;
  const valText = cfg.charLimit ? corpus.val.slice(0, cfg.charLimit) : corpus.val;
  const trainTokens = encodeStream(tokenizer, trainText);
  const valTokens = encodeStream(tokenizer, valText);
  console.error(`${cfg.name}: ${trainTokens.length} train tokens, ${valTokens.length} val tokens, backend ${tf.getBackend()}`);

  const init = await initialParams(cfg, validateConfig({ ...cfg.model, vocabSize: tokenizer.vocabSize }), dir, args.resume);
  const config = init.config;
  const specs = paramSpecs(config);
  const vars: Record<string, tf.Variable> = {};
  for (const { name, shape } of specs) vars[name] = tf.variable(tf.tensor(init.params.get(name)!, shape), true, name);
  const model: GPT = { config, weights: vars };
  const adam = initAdamW(vars);
  if (init.adam) {
    for (const { name, shape } of specs) {
      adam.m[name].dispose();
      adam.v[name].dispose();
      adam.m[name] = tf.tensor(init.adam.m.get(name)!, shape);
      adam.v[name] = tf.tensor(init.adam.v.get(name)!, shape);
    }
  }
  const startStep = init.meta?.step ?? 0;
  adam.step = startStep;
  let elapsed = init.meta?.elapsedSeconds ?? 0;
  let tokensSeen = init.meta?.tokensSeen ?? 0;
  const optim = { ...cfg.optimizer, totalSteps: cfg.steps };
  const T = config.blockSize;
  const csvPath = path.join(dir, 'loss.csv');
  if (startStep === 0) fs.writeFileSync(csvPath, 'step,lr,train_loss,val_loss,grad_norm,tokens_seen,elapsed_s\n');

  const save = () => saveCheckpoint(dir, { name: cfg.name, step: adam.step, config, elapsedSeconds: elapsed, tokensSeen }, vars, adam);

  const endStep = Math.min(cfg.steps, args.stopAt ?? cfg.steps);
  for (let step = startStep; step < endStep; step++) {
    const t0 = performance.now();
    const b = sampleBatch(trainTokens, cfg.batchSize, T, cfg.seed, step);
    const lr = lrAt(step, optim);
    const { value, grads } = tf.variableGrads(() => {
      const x = tf.tensor2d(b.x, [b.B, T], 'int32');
      const y = tf.tensor2d(b.y, [b.B, T], 'int32');
      return crossEntropy(forward(model, x, null, { training: true }).logits, y);
    });
    const loss = (await value.data())[0];
    value.dispose();
    if (!Number.isFinite(loss)) throw new Error(`loss became ${loss} at step ${step}; lower the learning rate`);
    const gradNorm = adamwStep(vars, grads, adam, optim);
    const secs = (performance.now() - t0) / 1000;
    elapsed += secs;
    tokensSeen += b.B * T;

    const last = step + 1 === endStep;
    let val = '';
    if ((step + 1) % cfg.evalEvery === 0 || last) {
      val = (await meanLoss(model, valTokens, { batchSize: cfg.batchSize, maxBatches: cfg.evalBatches })).loss.toFixed(4);
      if (process.stderr.isTTY) process.stderr.write('\n');
      console.error(`step ${step + 1}: train ${loss.toFixed(4)}  val ${val}  lr ${lr.toExponential(2)}`);
    }
    fs.appendFileSync(csvPath, `${step + 1},${lr},${loss.toFixed(5)},${val},${gradNorm.toFixed(4)},${tokensSeen},${elapsed.toFixed(1)}\n`);
    const perStep = elapsed / (step + 1);
    progress(step + 1, cfg.steps, loss, (b.B * T) / secs, perStep * (cfg.steps - step - 1));
    if ((step + 1) % cfg.checkpointEvery === 0 || last) await save();
  }
  if (startStep >= endStep) await save();
  if (endStep < cfg.steps) {
    console.error(`\npaused after step ${endStep} of ${cfg.steps}; continue with --resume`);
    return;
  }

  // Final figures on the whole validation split and an equal share of training text.
  console.error('\nevaluating on the full validation split…');
  const valFull = await meanLoss(model, valTokens, { batchSize: cfg.batchSize });
  const trainFull = await meanLoss(model, trainTokens, {
    batchSize: cfg.batchSize,
    maxBatches: Math.ceil(valFull.tokens / (cfg.batchSize * T)),
  });
  const charsPerToken = valText.length / valTokens.length;
  const trainCharsPerToken = trainText.length / trainTokens.length;
  const unigram = unigramLoss(trainTokens, valTokens, tokenizer.vocabSize);
  const summary = {
    name: cfg.name,
    config,
    steps: adam.step,
    batchSize: cfg.batchSize,
    tokensSeen,
    wallSeconds: Math.round(elapsed),
    machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, backend: tf.getBackend() },
    loss: {
      trainPerToken: trainFull.loss,
      trainPerChar: trainFull.loss / trainCharsPerToken,
      valPerToken: valFull.loss,
      valPerChar: valFull.loss / charsPerToken,
      unigramValPerToken: unigram,
      unigramValPerChar: unigram / charsPerToken,
      valTokensScored: valFull.tokens,
    },
    charsPerToken: { train: trainCharsPerToken, val: charsPerToken },
    init: cfg.init ?? null,
    seed: cfg.seed,
  };
  fs.writeFileSync(path.join(dir, 'summary.json'), JSON.stringify(summary, null, 2));
  console.log(JSON.stringify(summary.loss));
}

main().catch((err: unknown) => {
  if (process.env.KVLAB_DEBUG) console.error(err);
  console.error(`train: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
