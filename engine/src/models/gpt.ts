/**
 * A decoder-only Transformer language model in the style of GPT-2 and nanoGPT: token and
 * learned position embeddings, `nLayer` pre-norm blocks of causal multi-head
 * self-attention and a GELU feed-forward network, each wrapped in a residual connection,
 * a final LayerNorm and a linear layer to the vocabulary. Parameter names follow nanoGPT
 * (`wte`, `wpe`, `h.0.ln_1`, `h.0.attn.c_attn`, `h.0.attn.c_proj`, `h.0.mlp.c_fc`, ...;
 * weights [out, in] as `torch.nn.Linear`), so a nanoGPT checkpoint's state dict loads
 * (nanoGPT ties `lm_head` to `wte`: load its `transformer.wte.weight` into both).
 *
 * Two switches exist for teaching, to take the model apart: `residual: false` drops the
 * residual connections (each block's output replaces its input) and `layerNorm: false`
 * drops every LayerNorm.
 *
 * Generation can keep a key/value cache: the keys and values of the positions already
 * processed are stored per layer, so each new token costs one position's computation
 * instead of the whole prefix's.
 */
import { Tensor } from '../tensor.js';
import { describe, fmt, positiveInt } from '../shape.js';
import { noGrad } from '../autograd/grad-mode.js';
import { ones, triu, zeros } from '../ops/creation.js';
import { cat } from '../ops/join.js';
import { recordAttention } from '../trace/recorder.js';
import { Dropout, Embedding, LayerNorm, Linear, Module, ModuleList, init } from '../nn/index.js';
import type { Generator } from '../random.js';
import { sampleNext } from '../decoding/sampling.js';

/** The sizes and switches of a `GPT`. */
export interface GPTConfig {
  /** Number of token ids. */
  vocabSize: number;
  /** Longest context (positions with a learned embedding). */
  blockSize: number;
  /** Transformer blocks. */
  nLayer: number;
  /** Attention heads per block; must divide `nEmbd`. */
  nHead: number;
  /** Width of the residual stream (d_model). */
  nEmbd: number;
  /** Dropout on embeddings, attention weights and block outputs in training. Default 0. */
  dropout?: number;
  /** Biases in the linear layers and LayerNorms. Default true. */
  bias?: boolean;
  /** Residual connections around attention and feed-forward. Default true (false: ablation). */
  residual?: boolean;
  /** LayerNorm before attention, before feed-forward and at the end. Default true (false: ablation). */
  layerNorm?: boolean;
  /** Non-linearity of the feed-forward network: 'gelu' (GPT-2's tanh approximation, default) or 'relu' (the original Transformer's). */
  activation?: 'gelu' | 'relu';
}

const KEYS = ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd', 'dropout', 'bias', 'residual', 'layerNorm', 'activation'];

function checkConfig(config: GPTConfig): Required<GPTConfig> {
  if (config === null || typeof config !== 'object') throw new TypeError(`GPT: expects a config object { vocabSize, blockSize, nLayer, nHead, nEmbd }, got ${describe(config)}`);
  const c = config as unknown as Record<string, unknown>;
  const unknown = Object.keys(c).filter((k) => !KEYS.includes(k));
  if (unknown.length > 0) throw new TypeError(`GPT: unknown config key ${unknown.map((k) => `'${k}'`).join(', ')} (known: ${KEYS.join(', ')})`);
  for (const k of ['vocabSize', 'blockSize', 'nLayer', 'nHead', 'nEmbd']) positiveInt(c[k], 'GPT', `config.${k}`);
  if (config.nEmbd % config.nHead !== 0) throw new RangeError(`GPT: nEmbd (${config.nEmbd}) must be divisible by nHead (${config.nHead})`);
  const dropout = config.dropout ?? 0;
  if (typeof dropout !== 'number' || !(dropout >= 0 && dropout < 1)) throw new RangeError(`GPT: config.dropout must be in [0, 1), got ${describe(dropout)}`);
  for (const k of ['bias', 'residual', 'layerNorm']) {
    if (c[k] !== undefined && typeof c[k] !== 'boolean') throw new TypeError(`GPT: config.${k} must be true or false, got ${describe(c[k])}`);
  }
  const activation = config.activation ?? 'gelu';
  if (activation !== 'gelu' && activation !== 'relu') throw new RangeError(`GPT: config.activation must be 'gelu' or 'relu', got ${describe(activation)}`);
  return { ...config, dropout, bias: config.bias ?? true, residual: config.residual ?? true, layerNorm: config.layerNorm ?? true, activation };
}

/** One layer's cached keys and values, [batch, heads, cached positions, head size] each (null before the first step). */
export interface LayerKV {
  k: Tensor | null;
  v: Tensor | null;
}

/**
 * The key/value cache of one generation: per layer, the keys and values of every
 * position processed so far. Pass it to `GPT.forward` with only the new tokens; the model
 * appends to it.
 * @example
 * const cache = model.newCache();
 * let logits = model.forward(promptIds, { cache });          // prefill: every prompt position
 * logits = model.forward(nextId, { cache });                  // one new position per step
 */
export class KVCache {
  readonly layers: LayerKV[];
  constructor(numLayers: number) {
    this.layers = Array.from({ length: numLayers }, () => ({ k: null, v: null }));
  }
  /** Positions cached so far. */
  get length(): number {
    const k = this.layers[0]?.k;
    return k ? k.shape[2]! : 0;
  }
  /** Empties the cache. */
  clear(): void {
    for (const l of this.layers) {
      l.k = null;
      l.v = null;
    }
  }
}

/**
 * Causal multi-head self-attention as nanoGPT writes it: one projection `c_attn` to
 * queries, keys and values [.., 3 · nEmbd], `nHead` heads of scaled dot-product attention
 * in which position i sees positions ≤ i, and the output projection `c_proj`. Inside a
 * `trace`, reports its weights [batch, heads, q, k] as 'causal-self' attention.
 */
export class CausalSelfAttention extends Module {
  c_attn: Linear;
  c_proj: Linear;
  attn_dropout: Dropout;
  /** true above the diagonal: key j lies in the future of query i. */
  declare readonly blocked: Tensor;
  /** The same as an additive mask: −∞ where blocked, 0 elsewhere (adding is cheaper than a masked fill). */
  declare readonly causalBias: Tensor;
  readonly nHead: number;
  readonly headSize: number;

  constructor(readonly nEmbd: number, nHead: number, blockSize: number, options: { bias?: boolean; dropout?: number } = {}) {
    super();
    this.nHead = nHead;
    this.headSize = nEmbd / nHead;
    const bias = options.bias ?? true;
    this.c_attn = new Linear(nEmbd, 3 * nEmbd, { bias });
    this.c_proj = new Linear(nEmbd, nEmbd, { bias });
    this.attn_dropout = new Dropout(options.dropout ?? 0);
    // Not saved: derived from blockSize.
    const blocked = triu(ones([blockSize, blockSize]), 1).bool();
    this.registerBuffer('blocked', blocked, false);
    this.registerBuffer('causalBias', zeros([blockSize, blockSize]).maskedFill(blocked, -Infinity), false);
  }

  /**
   * x [batch, T, nEmbd] -> [batch, T, nEmbd]. With `kv`, the T positions continue the
   * cached ones (their keys and values are appended to `kv`).
   */
  forward(x: Tensor, kv: LayerKV | null = null): Tensor {
    const [B, T, E] = x.shape as [number, number, number];
    const H = this.nHead;
    const D = this.headSize;
    // [B, T, 3E] -> [B, T, 3, H, D] -> [3, B, H, T, D]
    const qkv = this.c_attn.forward(x).reshape([B, T, 3, H, D]).permute(2, 0, 3, 1, 4);
    const q = qkv.select(0, 0);
    let k = qkv.select(0, 1);
    let v = qkv.select(0, 2);
    const past = kv?.k ? kv.k.shape[2]! : 0;
    if (kv) {
      k = kv.k ? cat([kv.k, k], 2) : k.contiguous();
      v = kv.v ? cat([kv.v, v], 2) : v.contiguous();
      kv.k = k;
      kv.v = v;
    }
    const S = past + T;
    const limit = this.blocked.shape[0]!;
    if (S > limit) throw new RangeError(`CausalSelfAttention: ${S} positions exceed the block size ${limit}`);
    let scores = q.mul(1 / Math.sqrt(D)).matmul(k.mT); // [B, H, T, S]
    // Query i sits at position past + i: it may see keys 0 .. past + i.
    if (T > 1) scores = scores.add(this.causalBias.narrow(0, past, T).narrow(1, 0, S));
    const weights = scores.softmax(-1);
    recordAttention(this, weights, { kind: 'causal-self', mask: T > 1 ? this.blocked.narrow(0, past, T).narrow(1, 0, S).reshape([1, 1, T, S]) : null });
    const y = this.attn_dropout.forward(weights).matmul(v); // [B, H, T, D]
    return this.c_proj.forward(y.transpose(1, 2).reshape([B, T, E]));
  }

  override extraRepr(): string {
    return `n_head=${this.nHead}, head_size=${this.headSize}`;
  }
}

/**
 * The feed-forward network of a block: c_proj(act(c_fc(x))), hidden size 4 · nEmbd. The
 * GELU is GPT-2's tanh approximation (`gelu_new` in Hugging Face's GPT-2); ReLU is the
 * original Transformer's max(0, ·).
 */
export class MLP extends Module {
  c_fc: Linear;
  c_proj: Linear;
  readonly activation: 'gelu' | 'relu';
  constructor(nEmbd: number, options: { bias?: boolean; activation?: 'gelu' | 'relu' } = {}) {
    super();
    this.c_fc = new Linear(nEmbd, 4 * nEmbd, { bias: options.bias ?? true });
    this.c_proj = new Linear(4 * nEmbd, nEmbd, { bias: options.bias ?? true });
    this.activation = options.activation ?? 'gelu';
  }
  forward(x: Tensor): Tensor {
    const h = this.c_fc.forward(x);
    return this.c_proj.forward(this.activation === 'relu' ? h.relu() : h.gelu('tanh'));
  }
  override extraRepr(): string {
    return `activation=${this.activation}`;
  }
}

/**
 * A pre-norm Transformer block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). Without
 * residual connections the sums become attn(ln_1(x)) and mlp(ln_2(x)); without LayerNorm
 * ln_1 and ln_2 are absent (null).
 */
export class Block extends Module {
  ln_1: LayerNorm | null;
  attn: CausalSelfAttention;
  ln_2: LayerNorm | null;
  mlp: MLP;
  resid_dropout: Dropout;
  readonly residual: boolean;
  constructor(config: Required<GPTConfig>) {
    super();
    const { nEmbd, nHead, blockSize, bias, dropout } = config;
    this.ln_1 = config.layerNorm ? new LayerNorm(nEmbd, 1e-5, { bias }) : null;
    this.attn = new CausalSelfAttention(nEmbd, nHead, blockSize, { bias, dropout });
    this.ln_2 = config.layerNorm ? new LayerNorm(nEmbd, 1e-5, { bias }) : null;
    this.mlp = new MLP(nEmbd, { bias, activation: config.activation });
    this.resid_dropout = new Dropout(dropout);
    this.residual = config.residual;
  }

  forward(x: Tensor, kv: LayerKV | null = null): Tensor {
    const a = this.resid_dropout.forward(this.attn.forward(this.ln_1 ? this.ln_1.forward(x) : x, kv));
    const h = this.residual ? x.add(a) : a;
    const m = this.resid_dropout.forward(this.mlp.forward(this.ln_2 ? this.ln_2.forward(h) : h));
    return this.residual ? h.add(m) : m;
  }
}

/** Options of `GPT.generate`. */
export interface GenerateOptions {
  /** Tokens to append to the prompt. */
  maxNewTokens: number;
  /** Divides the logits before sampling; 0 picks the most likely token (greedy). Default 1. */
  temperature?: number;
  /** Sample only among the k most likely tokens. Default: all. */
  topK?: number | null;
  /** Random numbers for sampling (default: the global generator). */
  generator?: Generator;
  /**
   * Keep a key/value cache (default true). Without it every step runs the model over the
   * whole context again. With it, the context is limited to `blockSize`: when it is full,
   * the cache is rebuilt from the last `blockSize / 2` tokens (a sliding window in chunks).
   */
  useCache?: boolean;
}

/**
 * A GPT-style character or token language model. `forward(ids [batch, T])` returns logits
 * [batch, T, vocabSize]: position t predicts token t + 1 from tokens ≤ t.
 *
 * Initialisation follows GPT-2 / nanoGPT: N(0, 0.02) for embeddings and linear weights,
 * zero biases, and the projections that write into the residual stream (`c_proj`) scaled
 * by 1/√(2 · nLayer).
 *
 * @example
 * const model = new models.GPT({ vocabSize: 65, blockSize: 64, nLayer: 4, nHead: 4, nEmbd: 128 });
 * const logits = model.forward(ids);                        // [batch, T, 65]
 * const loss = crossEntropy(logits.reshape(-1, 65), targets.reshape(-1));
 * model.generate([10, 20], { maxNewTokens: 100, temperature: 0.8, topK: 10 });
 */
export class GPT extends Module {
  readonly config: Required<GPTConfig>;
  wte: Embedding;
  wpe: Embedding;
  drop: Dropout;
  h: ModuleList<Block>;
  ln_f: LayerNorm | null;
  lm_head: Linear;

  constructor(config: GPTConfig) {
    super();
    const c = checkConfig(config);
    this.config = c;
    this.wte = new Embedding(c.vocabSize, c.nEmbd);
    this.wpe = new Embedding(c.blockSize, c.nEmbd);
    this.drop = new Dropout(c.dropout);
    this.h = new ModuleList(Array.from({ length: c.nLayer }, () => new Block(c)));
    this.ln_f = c.layerNorm ? new LayerNorm(c.nEmbd, 1e-5, { bias: c.bias }) : null;
    this.lm_head = new Linear(c.nEmbd, c.vocabSize, { bias: false });
    this.resetParameters();
  }

  /** GPT-2's initialisation (see the class documentation). */
  resetParameters(): void {
    const residualStd = 0.02 / Math.sqrt(2 * this.config.nLayer);
    for (const [name, p] of this.namedParameters()) {
      if (name.endsWith('.bias')) init.zeros_(p);
      else if (name.includes('ln_')) init.ones_(p);
      else init.normal_(p, 0, name.endsWith('c_proj.weight') ? residualStd : 0.02);
    }
  }

  /** A fresh key/value cache for `forward(ids, { cache })`. */
  newCache(): KVCache {
    return new KVCache(this.config.nLayer);
  }

  /**
   * ids [batch, T] (int32) -> logits [batch, T, vocabSize]. With `cache`, `ids` are the
   * positions that follow the cached ones (and are appended to the cache).
   */
  forward(ids: Tensor, options: { cache?: KVCache | null } = {}): Tensor {
    if (!(ids instanceof Tensor)) throw new TypeError(`GPT.forward: expects token ids as an int32 Tensor [batch, T], got ${describe(ids)}`);
    if (ids.ndim !== 2 || ids.dtype !== 'int32') throw new RangeError(`GPT.forward: expects token ids as an int32 Tensor [batch, T], got ${ids.dtype} ${fmt(ids.shape)}`);
    const cache = options.cache ?? null;
    if (cache !== null && (!(cache instanceof KVCache) || cache.layers.length !== this.config.nLayer)) {
      throw new TypeError(`GPT.forward: options.cache must be a KVCache of this model (model.newCache())`);
    }
    const T = ids.shape[1]!;
    const past = cache ? cache.length : 0;
    if (past + T > this.config.blockSize) {
      throw new RangeError(`GPT.forward: ${past > 0 ? `${past} cached + ` : ''}${T} positions exceed the block size ${this.config.blockSize}`);
    }
    const positions = new Tensor(Int32Array.from({ length: T }, (_, i) => past + i), [T]);
    let x = this.drop.forward(this.wte.forward(ids).add(this.wpe.forward(positions)));
    let i = 0;
    for (const block of this.h) x = block.forward(x, cache ? cache.layers[i++]! : null);
    if (this.ln_f) x = this.ln_f.forward(x);
    return this.lm_head.forward(x);
  }

  /**
   * Continues `prompt` (token ids) by sampling `maxNewTokens` tokens, one at a time, in
   * evaluation mode and without gradients. Returns the prompt followed by the new tokens.
   */
  generate(prompt: readonly number[], options: GenerateOptions): number[] {
    const who = 'GPT.generate';
    if (!Array.isArray(prompt) || prompt.length === 0 || !prompt.every((t) => Number.isInteger(t) && t >= 0 && t < this.config.vocabSize)) {
      throw new RangeError(`${who}: the prompt must be a non-empty array of token ids in [0, ${this.config.vocabSize})`);
    }
    const n = options?.maxNewTokens;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0) throw new RangeError(`${who}: maxNewTokens must be a non-negative integer, got ${describe(n)}`);
    const useCache = options.useCache ?? true;
    const block = this.config.blockSize;
    const tokens = [...prompt];
    const wasTraining = this.training;
    this.eval();
    try {
      return noGrad(() => {
        const cache = useCache ? this.newCache() : null;
        const ids = (a: number[]) => new Tensor(Int32Array.from(a), [1, a.length]);
        let logits: Tensor | null = null;
        if (cache) logits = this.forward(ids(tokens.slice(-block)), { cache });
        for (let i = 0; i < n; i++) {
          if (!cache) logits = this.forward(ids(tokens.slice(-block)));
          const last = logits!.select(1, logits!.shape[1]! - 1).reshape([this.config.vocabSize]);
          const next = sampleNext(last, { temperature: options.temperature ?? 1, topK: options.topK ?? null, generator: options.generator });
          tokens.push(next);
          if (cache && i < n - 1) {
            if (cache.length >= block) {
              cache.clear();
              logits = this.forward(ids(tokens.slice(-Math.max(1, Math.floor(block / 2)))), { cache });
            } else logits = this.forward(ids([next]), { cache });
          }
        }
        return tokens;
      });
    } finally {
      this.train(wasTraining);
    }
  }

  override extraRepr(): string {
    const c = this.config;
    const off = [!c.residual && 'residual=False', !c.layerNorm && 'layer_norm=False'].filter(Boolean);
    return `vocab_size=${c.vocabSize}, block_size=${c.blockSize}, n_layer=${c.nLayer}, n_head=${c.nHead}, n_embd=${c.nEmbd}${off.length ? `, ${off.join(', ')}` : ''}`;
  }
}
