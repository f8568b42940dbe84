/**
 * The fused scaled dot-product attention op (engine/src/ops/attention.ts) against the
 * composed ops it replaces (matmul of q·scale and kᵀ, maskedFill, add, softmax, dropout,
 * matmul): outputs, weights and gradients for every mask form, causality, broadcast and
 * strided inputs, dropout (the same draws from the same generator), fully masked rows
 * (NaN, with the composed path's zero gradient where a bool mask blocks), float32 on the
 * installed kernels and float64 on the reference; and the errors.
 */
import { describe, expect, it } from 'vitest';
import {
  add, dropout, F, gradcheck, manualSeed, maskedFill, matmul, nn, rand, randn, softmax, tensor, type Tensor,
} from '../../../engine/src/index.js';
import { scaledDotProductAttentionFused } from '../../../engine/src/ops/attention.js';

type DT = 'float32' | 'float64';

/** Max |a - b| / max(|b|, 1) over finite entries; NaN must sit at the same places. */
function relDiff(a: Tensor, b: Tensor): number {
  expect(a.shape).toEqual(b.shape);
  const x = a.toTypedArray();
  const y = b.toTypedArray();
  let worst = 0;
  let scale = 1;
  for (let i = 0; i < y.length; i++) if (Number.isFinite(y[i]!)) scale = Math.max(scale, Math.abs(y[i]!));
  for (let i = 0; i < x.length; i++) {
    const u = x[i]!, v = y[i]!;
    if (Number.isNaN(v) || Number.isNaN(u)) {
      expect(Number.isNaN(u), `NaN at ${i}: fused ${u}, composed ${v}`).toBe(Number.isNaN(v));
      continue;
    }
    if (u === v) continue;
    worst = Math.max(worst, Math.abs(u - v) / scale);
  }
  return worst;
}

function causalBool(L: number, S: number): Tensor {
  const d = new Uint8Array(L * S);
  for (let i = 0; i < L; i++) for (let j = i + 1; j < S; j++) d[i * S + j] = 1;
  return tensor(Array.from(d, (x) => x === 1)).reshape([L, S]);
}

interface Case {
  name: string;
  q: number[];
  k: number[];
  v: number[];
  masks?: (dtype: DT) => Tensor[];
  causal?: boolean;
  /** Float masks get gradients too. */
  maskGrad?: boolean;
}

function composed(q: Tensor, k: Tensor, v: Tensor, scale: number, masks: Tensor[], causal: boolean, p: number): { out: Tensor; probs: Tensor; applied: Tensor } {
  let s = matmul(q.mul(scale), k.mT);
  const L = s.shape[s.ndim - 2]!, S = s.shape[s.ndim - 1]!;
  if (causal) s = maskedFill(s, causalBool(L, S), -Infinity);
  for (const m of masks) if (m.dtype === 'bool') s = maskedFill(s, m, -Infinity);
  for (const m of masks) if (m.dtype !== 'bool') s = add(s, m);
  const probs = softmax(s, -1);
  const applied = p > 0 ? dropout(probs, { p }) : probs;
  return { out: matmul(applied, v), probs, applied };
}

const B = 2, H = 3, L = 5, S = 7, E = 4;
const cases: Case[] = [
  { name: 'no mask [B, H, L, E]', q: [B, H, L, E], k: [B, H, S, E], v: [B, H, S, 6] },
  { name: 'no mask, 2-D (unbatched)', q: [L, E], k: [S, E], v: [S, E] },
  { name: 'broadcast batch: q [B, H, L, E], k and v [H, S, E]', q: [B, H, L, E], k: [H, S, E], v: [1, H, S, E] },
  { name: 'bool mask [L, S]', q: [B, H, L, E], k: [B, H, S, E], v: [B, H, S, E], masks: () => [rand([L, S]).lt(0.3)] },
  {
    name: 'bool key padding [B, 1, 1, S]', q: [B, H, L, E], k: [B, H, S, E], v: [B, H, S, E],
    masks: () => [tensor([[0, 0, 0, 0, 0, 1, 1], [0, 0, 0, 1, 1, 1, 1]]).gt(0).reshape([B, 1, 1, S])],
  },
  { name: 'float mask [B, H, L, S] with gradient', q: [B, H, L, E], k: [B, H, S, E], v: [B, H, S, E], masks: (dt) => [randn([B, H, L, S], { dtype: dt })], maskGrad: true },
  {
    name: 'float causal mask [L, L] (generateSquareSubsequentMask)', q: [B, H, L, E], k: [B, H, L, E], v: [B, H, L, E],
    masks: (dt) => [nn.generateSquareSubsequentMask(L, { dtype: dt })],
  },
  { name: 'causal, L != S (top left)', q: [B, H, L, E], k: [B, H, S, E], v: [B, H, S, E], causal: true },
  {
    name: 'causal + bool key padding + float mask [1, H, L, S]', q: [B, H, L, E], k: [B, H, S, E], v: [B, H, S, E], causal: true, maskGrad: true,
    masks: (dt) => [tensor([[0, 0, 0, 0, 0, 0, 1], [0, 0, 0, 0, 1, 1, 1]]).gt(0).reshape([B, 1, 1, S]), randn([1, H, L, S], { dtype: dt })],
  },
];

describe('scaledDotProductAttentionFused matches the composed ops', () => {
  for (const dtype of ['float32', 'float64'] as const) {
    const tol = dtype === 'float32' ? 2e-5 : 1e-12;
    for (const c of cases) {
      it(`${c.name} (${dtype})`, () => {
        manualSeed(1);
        const q = randn(c.q, { dtype }), k = randn(c.k, { dtype }), v = randn(c.v, { dtype });
        const masks = c.masks ? c.masks(dtype) : [];
        const scale = 1 / Math.sqrt(E);
        const run = (fused: boolean) => {
          const [qq, kk, vv] = [q, k, v].map((t) => t.detach().requiresGrad_());
          const mm = masks.map((m) => (m.dtype !== 'bool' && c.maskGrad ? m.detach().requiresGrad_() : m));
          const r = fused
            ? (() => {
                const f = scaledDotProductAttentionFused(qq!, kk!, vv!, { scale, masks: mm, causal: c.causal ?? false });
                return { out: f.output, probs: f.probs };
              })()
            : composed(qq!, kk!, vv!, scale, mm, c.causal ?? false, 0);
          // The loss reads the output and the weights, so both backward paths run.
          manualSeed(2);
          const wo = randn(r.out.shape, { dtype });
          const wp = randn(r.probs.shape, { dtype });
          r.out.mul(wo).sum().add(r.probs.mul(wp).sum()).backward();
          return { out: r.out, probs: r.probs, grads: [qq!.grad!, kk!.grad!, vv!.grad!, ...mm.filter((m) => m.requiresGrad).map((m) => m.grad!)] };
        };
        const f = run(true);
        const ref = run(false);
        expect(f.out.dtype).toBe(dtype);
        expect(relDiff(f.out, ref.out)).toBeLessThan(tol);
        expect(relDiff(f.probs, ref.probs)).toBeLessThan(tol);
        expect(f.grads.length).toBe(ref.grads.length);
        f.grads.forEach((g, i) => expect(relDiff(g, ref.grads[i]!), `gradient ${i}`).toBeLessThan(tol));
      });
    }
  }

  it('reads strided heads (views of one packed projection) in place, values and gradients', () => {
    manualSeed(3);
    const run = (fused: boolean) => {
      const qkv = randn([L, B, 3 * H * E]).requiresGrad_();
      const view = (i: number) => qkv.narrow(-1, i * H * E, H * E).reshape([L, B, H, E]).permute(1, 2, 0, 3);
      const out = fused
        ? scaledDotProductAttentionFused(view(0), view(1), view(2), { scale: 0.5 }).output
        : composed(view(0), view(1), view(2), 0.5, [], false, 0).out;
      out.pow(2).sum().backward();
      manualSeed(3);
      return { out, g: qkv.grad! };
    };
    manualSeed(3);
    const f = run(true);
    manualSeed(3);
    const r = run(false);
    expect(relDiff(f.out, r.out)).toBeLessThan(2e-5);
    expect(relDiff(f.g, r.g)).toBeLessThan(2e-5);
  });

  it('dropout: the same draws from the same generator, the weights after dropout, and their gradients', () => {
    for (const p of [0.3, 1]) {
      manualSeed(4);
      const q0 = randn([B, H, L, E]), k0 = randn([B, H, S, E]), v0 = randn([B, H, S, E]);
      const run = (fused: boolean) => {
        const [q, k, v] = [q0, k0, v0].map((t) => t.detach().requiresGrad_());
        manualSeed(9);
        const r = fused
          ? (() => {
              const f = scaledDotProductAttentionFused(q!, k!, v!, { scale: 0.5, dropoutP: p, keepApplied: true });
              return { out: f.output, applied: f.applied!, probs: f.probs };
            })()
          : composed(q!, k!, v!, 0.5, [], false, p);
        manualSeed(5);
        r.out.mul(randn(r.out.shape)).sum().add(r.applied.mul(randn(r.applied.shape)).sum()).backward();
        return { ...r, grads: [q!.grad!, k!.grad!, v!.grad!] };
      };
      const f = run(true);
      const r = run(false);
      expect(relDiff(f.applied, r.applied)).toBeLessThan(2e-5);
      expect(relDiff(f.probs, r.probs)).toBeLessThan(2e-5);
      expect(relDiff(f.out, r.out)).toBeLessThan(2e-5);
      f.grads.forEach((g, i) => expect(relDiff(g, r.grads[i]!), `p ${p} gradient ${i}`).toBeLessThan(2e-5));
      if (p === 1) expect(f.out.abs().max().item()).toBe(0);
    }
  });

  it('dropout without keepApplied: the output and gradients are those of the kept weights', () => {
    manualSeed(6);
    const q0 = randn([B, L, E]), k0 = randn([B, S, E]), v0 = randn([B, S, E]);
    const run = (keepApplied: boolean) => {
      const [q, k, v] = [q0, k0, v0].map((t) => t.detach().requiresGrad_());
      manualSeed(7);
      const out = scaledDotProductAttentionFused(q!, k!, v!, { scale: 1, dropoutP: 0.5, keepApplied }).output;
      out.sum().backward();
      return [out, q!.grad!, k!.grad!, v!.grad!];
    };
    const a = run(true), b = run(false);
    a.forEach((t, i) => expect(relDiff(t, b[i]!)).toBe(0));
  });

  it('fully masked rows: NaN weights and output as the composed path, zero gradient where a bool mask blocks', () => {
    for (const kind of ['bool', 'float'] as const) {
      manualSeed(8);
      const q0 = randn([B, L, E], { dtype: 'float64' }), k0 = randn([B, S, E], { dtype: 'float64' }), v0 = randn([B, S, E], { dtype: 'float64' });
      // Row 2 of batch 1 blocks every key.
      const blocked = new Array(B * L * S).fill(false);
      for (let j = 0; j < S; j++) blocked[(1 * L + 2) * S + j] = true;
      blocked[3] = true;
      const boolMask = tensor(blocked).reshape([B, L, S]);
      const mask = kind === 'bool' ? boolMask : maskedFill(randn([B, L, S], { dtype: 'float64' }).mul(0), boolMask, -Infinity);
      const run = (fused: boolean) => {
        const [q, k, v] = [q0, k0, v0].map((t) => t.detach().requiresGrad_());
        const r = fused ? scaledDotProductAttentionFused(q!, k!, v!, { scale: 0.5, masks: [mask] }) : null;
        const out = r ? r.output : composed(q!, k!, v!, 0.5, [mask], false, 0).out;
        const probs = r ? r.probs : composed(q0, k0, v0, 0.5, [mask], false, 0).probs;
        out.select(0, 0).sum().backward();
        return { out, probs, grads: [q!.grad!, k!.grad!, v!.grad!] };
      };
      const f = run(true);
      const r = run(false);
      expect(Number.isNaN(f.probs.select(0, 1).select(0, 2).select(0, 0).item())).toBe(true);
      expect(Number.isNaN(f.out.select(0, 1).select(0, 2).select(0, 0).item())).toBe(true);
      expect(relDiff(f.out, r.out)).toBeLessThan(1e-12);
      expect(relDiff(f.probs, r.probs)).toBeLessThan(1e-12);
      f.grads.forEach((g, i) => expect(relDiff(g, r.grads[i]!), `${kind} gradient ${i}`).toBeLessThan(1e-12));
      if (kind === 'bool') {
        // q's gradient is finite (maskedFill zeroes the blocked row's score gradient).
        expect(Array.from(f.grads[0]!.toTypedArray()).every(Number.isFinite)).toBe(true);
      }
    }
  });

  it('errors name the op, the argument and the shapes', () => {
    const q = randn([2, 5, 4]);
    expect(() => scaledDotProductAttentionFused(q, randn([2, 7, 3]), randn([2, 7, 4]), { scale: 1 })).toThrow(/scaledDotProductAttentionFused: .*key.*\[2, ?7, ?3\]/);
    expect(() => scaledDotProductAttentionFused(q, randn([2, 7, 4]), randn([2, 6, 4]), { scale: 1 })).toThrow(/scaledDotProductAttentionFused: .*value.*\[2, ?6, ?4\]/);
    expect(() => scaledDotProductAttentionFused(q, randn([3, 7, 4]), randn([3, 7, 4]), { scale: 1 })).toThrow(/scaledDotProductAttentionFused: the batch dimensions/);
    expect(() => scaledDotProductAttentionFused(q, randn([2, 7, 4]), randn([2, 7, 4]), { scale: 1, masks: [rand([5, 6]).lt(0.5)] })).toThrow(
      /scaledDotProductAttentionFused: masks\[0\] \[5, ?6\] must broadcast to the scores/,
    );
    expect(() => scaledDotProductAttentionFused(q, randn([2, 7, 4]), randn([2, 7, 4]), { scale: 1, dropoutP: 2 })).toThrow(/dropoutP/);
    expect(() => scaledDotProductAttentionFused(randn([4]), randn([2, 7, 4]), randn([2, 7, 4]), { scale: 1 })).toThrow(/query must have at least 2 dimensions/);
  });
});

describe('attention entry points use the fused op', () => {
  it('scaledDotProductAttention and MultiheadAttention record one attention node', () => {
    manualSeed(10);
    const q = randn([B, H, L, E]).requiresGrad_();
    const out = F.scaledDotProductAttention(q, q, q, { isCausal: true });
    expect(out.gradFn?.name).toBe('ScaledDotProductAttentionBackward');
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    const x = randn([B, L, 8]);
    const [o, w] = mha.forward(x, x, x, { averageAttnWeights: false });
    expect(w!.shape).toEqual([B, 2, L, L]);
    // The per-head weights are the op's P: rows sum to 1, and they carry the op's weights node.
    expect(w!.gradFn?.name).toBe('ScaledDotProductAttentionWeightsBackward');
    const sums = w!.sum(-1).toTypedArray();
    for (const s of sums) expect(s).toBeCloseTo(1, 5);
    o.sum().backward();
    expect(mha.in_proj_weight.grad).not.toBeNull();
  });

  it('MultiheadAttention per-head weights, batchFirst and unbatched, equal the averaged ones per head', () => {
    manualSeed(11);
    const mha = new nn.MultiheadAttention(8, 2, { batchFirst: true });
    const x = randn([B, L, 8]);
    const kpm = tensor([[false, false, false, true, true], [false, false, false, false, false]]);
    const [, w] = mha.forward(x, x, x, { averageAttnWeights: false, keyPaddingMask: kpm });
    const [, avg] = mha.forward(x, x, x, { keyPaddingMask: kpm });
    expect(relDiff(w!.mean(1), avg!)).toBeLessThan(1e-6);
    expect(w!.select(0, 0).select(-1, 4).abs().max().item()).toBe(0);
    const [, wu] = mha.forward(x.select(0, 1), x.select(0, 1), x.select(0, 1), { averageAttnWeights: false });
    expect(wu!.shape).toEqual([2, L, L]);
    expect(relDiff(wu!, w!.select(0, 1))).toBeLessThan(1e-6);
  });
});

describe('fused attention: finite-difference gradients (float64)', () => {
  const g = (shape: number[]): Tensor => randn(shape, { dtype: 'float64', requiresGrad: true });
  it('matches central differences for q, k, v and a float mask, with causal, bool and float masks, output and weights', () => {
    manualSeed(11);
    const [q, k, v] = [g([2, 3, 4]), g([2, 5, 4]), g([2, 5, 3])];
    const floatMask = g([3, 5]);
    const boolMask = tensor([[false, false, true, false, false], [false, true, false, false, false], [false, false, false, false, true]]);
    const outputAndWeights = (qq: Tensor, kk: Tensor, vv: Tensor, mm: Tensor) => {
      const r = scaledDotProductAttentionFused(qq, kk, vv, { scale: 0.5, masks: [boolMask, mm] });
      return [r.output, r.probs];
    };
    expect(gradcheck(outputAndWeights, [q, k, v, floatMask])).toBe(true);
    const causal = (qq: Tensor, kk: Tensor, vv: Tensor) => scaledDotProductAttentionFused(qq, kk, vv, { scale: 1, causal: true }).output;
    expect(gradcheck(causal, [g([4, 4]), g([4, 4]), g([4, 2])])).toBe(true);
  });
});
