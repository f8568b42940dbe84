#!/usr/bin/env node
// Pretrains the character-level GPT of lecture 10 on tiny Shakespeare, and an LSTM
// language model for the same training CPU time, with the engine the notebooks use
// (`models.GPT`, `models.RecurrentLM`), and writes both as safetensors into
// notebooks/data/. The notebook loads them and fine-tunes the GPT for a few steps.
//
//   npm run pretrain:gpt                       # the committed weights (about 35 CPU minutes; 1 h 47 min on a busy 2-core machine)
//   npm run pretrain:gpt -- --steps 20 --out /tmp/x   # a quick try
//
// Options: --steps N (GPT steps, default 1500), --seed S (default 1337), --eval-every N
// (default 100), --lstm-steps N (default: as many as fit in the GPT's training CPU time),
// --out DIR (default notebooks/data), --skip-full-val (do not measure the whole validation
// split at the end; for quick tries and the test).
//
// Reproducible: the models, the batches and the optimizers are seeded; the only
// machine-dependent choice is how many LSTM steps fit in the GPT's CPU time, and the
// script prints (and stores) that number, so `--lstm-steps N` repeats a run exactly.
// Everything the notebook needs to say about the run is stored in each file's metadata:
// config, seed, steps, the training curve (train and validation loss against step and
// CPU seconds), times, and the command.
//
// Time is CPU time of this process (process.cpuUsage: all threads), not wall-clock
// time, so other work on a shared machine does not shorten either model's budget.
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '..');
let engine;
try {
  engine = await import(join(repo, 'engine', 'dist', 'index.js'));
} catch (e) {
  process.stderr.write(`pretrain-gpt: cannot load the engine (${e.message}): run \`npm run build\` first\n`);
  process.exit(2);
}
const { data, models, optim, nn, crossEntropy, manualSeed, Generator, saveSafetensors } = engine;

function usage(message) {
  process.stderr.write(`pretrain-gpt: ${message}\nusage: node scripts/pretrain-gpt.mjs [--steps N] [--seed S] [--eval-every N] [--lstm-steps N] [--out DIR] [--skip-full-val]\n`);
  process.exit(2);
}
let args;
try {
  args = parseArgs({ options: { steps: { type: 'string' }, seed: { type: 'string' }, 'eval-every': { type: 'string' }, 'lstm-steps': { type: 'string' }, out: { type: 'string' }, 'skip-full-val': { type: 'boolean' } } }).values;
} catch (e) {
  usage(e.message);
}
function intArg(name, fallback) {
  if (args[name] === undefined) return fallback;
  const v = Number(args[name]);
  if (!Number.isInteger(v) || v <= 0) usage(`--${name} must be a positive integer, got "${args[name]}"`);
  return v;
}
const STEPS = intArg('steps', 1500);
const SEED = intArg('seed', 1337);
const EVAL_EVERY = intArg('eval-every', 100);
const LSTM_STEPS = args['lstm-steps'] === undefined ? null : intArg('lstm-steps', 1);
const OUT = resolve(args.out ?? join(repo, 'notebooks', 'data'));

// The data: nanoGPT's character vocabulary (65 symbols) and split (first 90 % training).
const corpusFile = join(repo, 'notebooks', 'data', 'tinyshakespeare.txt');
const { vocab, corpus } = await data.loadCorpus(corpusFile, { sha1: data.CORPORA.tinyshakespeare.sha1, vocab: { unk: false, order: 'alphabetical' } });
const { train, val } = data.splitCorpus(corpus, { valFraction: 0.1 });
const V = vocab.length;

// Shared by both models, and by the notebook: batches of 16 windows of 128 characters,
// validation on the first 8 batches of the sequential partition (16,384 characters).
const BATCH = 16;
const BLOCK = 128;
const VAL_BATCHES = 8;
const GPT_CONFIG = { vocabSize: V, blockSize: BLOCK, nLayer: 4, nHead: 4, nEmbd: 128, dropout: 0, activation: 'relu' };
const LSTM_CONFIG = { vocabSize: V, embedSize: 64, hiddenSize: 256, numLayers: 1, cell: 'lstm' };

const cpuSeconds = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** An endless stream of training batches (random partitions, one epoch after another). */
function* batches(seed) {
  const g = new Generator(seed);
  for (;;) yield* data.seqDataIterRandom(train, BATCH, BLOCK, { generator: g });
}

/** Warm-up for `warmup` steps, then a cosine from the peak down to a tenth of it (nanoGPT's schedule). */
const schedule = (steps, warmup) => (e) => (e < warmup ? (e + 1) / warmup : 0.1 + 0.45 * (1 + Math.cos((Math.PI * (e - warmup)) / Math.max(1, steps - warmup))));

/**
 * Trains `model` for `steps` steps.
 * Prints and returns the curve: mean training loss since the last point, validation loss,
 * steps and training CPU seconds (evaluation time excluded).
 */
function fit(name, model, opt, steps) {
  const sched = new optim.LambdaLR(opt, schedule(steps, Math.min(100, Math.floor(steps / 10))));
  const curve = [];
  const stream = batches(SEED);
  let trainCpu = 0;
  let wall = 0;
  let sum = 0;
  let count = 0;
  const point = (step) => {
    const v = models.languageModelLoss(model, val, { batchSize: BATCH, numSteps: BLOCK, batches: VAL_BATCHES });
    const p = { step, cpuSeconds: Number(trainCpu.toFixed(1)), wallSeconds: Number(wall.toFixed(1)), train: count ? Number((sum / count).toFixed(4)) : null, val: Number(v.toFixed(4)) };
    curve.push(p);
    process.stdout.write(`${name.padEnd(5)} step ${String(step).padStart(5)}  cpu ${p.cpuSeconds.toFixed(0).padStart(6)} s  wall ${p.wallSeconds.toFixed(0).padStart(6)} s  train ${p.train === null ? '     -' : p.train.toFixed(3)}  val ${p.val.toFixed(3)}\n`);
    sum = 0;
    count = 0;
  };
  point(0);
  let step = 0;
  while (step < steps) {
    const [X, Y] = stream.next().value;
    const c0 = cpuSeconds();
    const w0 = performance.now();
    const out = model.forward(X);
    const logits = Array.isArray(out) ? out[0] : out;
    const loss = crossEntropy(logits.reshape(-1, V), Y.reshape(-1));
    opt.zeroGrad();
    loss.backward();
    nn.utils.clipGradNorm_(model.parameters(), 1);
    opt.step();
    sched.step();
    sum += loss.item();
    count++;
    trainCpu += cpuSeconds() - c0;
    wall += (performance.now() - w0) / 1000;
    step++;
    if (step % EVAL_EVERY === 0) point(step);
  }
  if (step % EVAL_EVERY !== 0) point(step);
  return { curve, steps: step, cpuSeconds: trainCpu, wallSeconds: wall };
}

function save(model, file, meta) {
  mkdirSync(dirname(file), { recursive: true });
  const metadata = Object.fromEntries(Object.entries(meta).map(([k, v]) => [k, typeof v === 'string' ? v : JSON.stringify(v)]));
  saveSafetensors(model, file, { metadata });
  process.stdout.write(`wrote ${relative(process.cwd(), file)} (${(statSync(file).size / 1e6).toFixed(2)} MB)\n`);
}

process.stdout.write(`tiny Shakespeare: ${corpus.length.toLocaleString('en')} characters, ${V} symbols; ${train.length.toLocaleString('en')} training, ${val.length.toLocaleString('en')} validation\n`);
process.stdout.write(`batches of ${BATCH} x ${BLOCK} characters, seed ${SEED}; validation loss on ${VAL_BATCHES} batches (${(VAL_BATCHES * BATCH * BLOCK).toLocaleString('en')} characters)\n\n`);

// --- the GPT
manualSeed(SEED);
const gpt = new models.GPT(GPT_CONFIG);
process.stdout.write(`GPT: ${gpt.numParameters().toLocaleString('en')} parameters, ${JSON.stringify(GPT_CONFIG)}\n`);
// Weight decay on the matrices only (nanoGPT: not on biases and LayerNorm gains).
const decay = gpt.parameters().filter((p) => p.ndim >= 2);
const noDecay = gpt.parameters().filter((p) => p.ndim < 2);
const gptOpt = new optim.AdamW([{ params: decay, weightDecay: 0.1 }, { params: noDecay, weightDecay: 0 }], { lr: 1e-3, betas: [0.9, 0.99] });
const gptRun = fit('GPT', gpt, gptOpt, STEPS);

// --- the LSTM, for the same training CPU time: its step count is the GPT's CPU time over
// the CPU time of an LSTM step, measured on 40 steps of a throw-away copy (so that its
// learning-rate schedule, like the GPT's, runs to the end). The estimate can be off by some
// percent on a busy machine; both curves are recorded against CPU seconds, so notebook 10
// also compares them at exactly the GPT's CPU time.
function lstmSteps() {
  if (LSTM_STEPS !== null) return LSTM_STEPS;
  manualSeed(SEED);
  const probe = new models.RecurrentLM(LSTM_CONFIG);
  const opt = new optim.AdamW(probe.parameters(), { lr: 3e-3, weightDecay: 0 });
  const stream = batches(SEED + 1);
  let cpu = 0;
  for (let i = 0; i < 50; i++) {
    const [X, Y] = stream.next().value;
    const c0 = cpuSeconds();
    const loss = crossEntropy(probe.forward(X)[0].reshape(-1, V), Y.reshape(-1));
    opt.zeroGrad();
    loss.backward();
    nn.utils.clipGradNorm_(probe.parameters(), 1);
    opt.step();
    if (i >= 10) cpu += cpuSeconds() - c0;   // the first steps warm up
  }
  return Math.max(1, Math.round(gptRun.cpuSeconds / (cpu / 40)));
}
const LSTM_RUN_STEPS = lstmSteps();
manualSeed(SEED);
const lstm = new models.RecurrentLM(LSTM_CONFIG);
process.stdout.write(`\nLSTM: ${lstm.numParameters().toLocaleString('en')} parameters, ${JSON.stringify(LSTM_CONFIG)}; ${LSTM_RUN_STEPS} steps${LSTM_STEPS === null ? ` (what fits in the GPT's ${gptRun.cpuSeconds.toFixed(0)} CPU seconds)` : ''}\n`);
const lstmOpt = new optim.AdamW(lstm.parameters(), { lr: 3e-3, weightDecay: 0 });
const lstmRun = fit('LSTM', lstm, lstmOpt, LSTM_RUN_STEPS);

// Final validation loss on the whole validation split, for the record.
const fullVal = (m) => (args['skip-full-val'] ? 'not measured' : String(Number(models.languageModelLoss(m, val, { batchSize: BATCH, numSteps: BLOCK }).toFixed(4))));
const common = { corpus: 'tinyshakespeare.txt', corpusSha1: data.CORPORA.tinyshakespeare.sha1, vocabulary: vocab.idxToTokenList.join(''), seed: String(SEED), batch: { batchSize: BATCH, numSteps: BLOCK, valBatches: VAL_BATCHES }, engine: 'models.GPT / models.RecurrentLM of @seqlab/engine' };
const command = `npm run pretrain:gpt -- --steps ${STEPS} --seed ${SEED} --eval-every ${EVAL_EVERY} --lstm-steps ${lstmRun.steps}`;
save(gpt, join(OUT, 'gpt-shakespeare.safetensors'), {
  ...common,
  model: 'GPT',
  config: GPT_CONFIG,
  optimizer: 'AdamW lr 1e-3 betas (0.9, 0.99) weight decay 0.1 (matrices), warm-up 100 steps, cosine to 1e-4, clip 1',
  steps: String(gptRun.steps),
  cpuSeconds: gptRun.cpuSeconds.toFixed(1),
  wallSeconds: gptRun.wallSeconds.toFixed(1),
  curve: gptRun.curve,
  fullValidationLoss: fullVal(gpt),
  command,
});
save(lstm, join(OUT, 'lstm-shakespeare.safetensors'), {
  ...common,
  model: 'RecurrentLM',
  config: LSTM_CONFIG,
  optimizer: 'AdamW lr 3e-3, warm-up, cosine to 3e-4, clip 1',
  steps: String(lstmRun.steps),
  cpuSeconds: lstmRun.cpuSeconds.toFixed(1),
  wallSeconds: lstmRun.wallSeconds.toFixed(1),
  curve: lstmRun.curve,
  fullValidationLoss: fullVal(lstm),
  command,
});
const last = (r) => r.curve.at(-1).val.toFixed(3);
/** The LSTM's validation loss at the GPT's CPU time, linear between the two nearest points of its curve. */
function lstmAtGptTime() {
  const c = lstmRun.curve;
  const t = gptRun.curve.at(-1).cpuSeconds;
  const i = c.findIndex((p) => p.cpuSeconds >= t);
  if (i <= 0) return c.at(i === 0 ? 0 : -1).val;
  return c[i - 1].val + ((t - c[i - 1].cpuSeconds) / (c[i].cpuSeconds - c[i - 1].cpuSeconds)) * (c[i].val - c[i - 1].val);
}
process.stdout.write(`\nvalidation loss: GPT ${last(gptRun)} (${gptRun.steps} steps, ${gptRun.cpuSeconds.toFixed(0)} CPU s); LSTM ${lstmAtGptTime().toFixed(3)} at the same CPU time, ${last(lstmRun)} at the end (${lstmRun.steps} steps, ${lstmRun.cpuSeconds.toFixed(0)} CPU s)\n`);
process.stdout.write(`to repeat this run exactly: ${command}\n`);
