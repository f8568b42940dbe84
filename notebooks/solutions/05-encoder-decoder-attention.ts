/** 1 if c ≥ r, else exp(1 − r/c). */
export function brevityPenalty(c: number, r: number): number {
  return c >= r ? 1 : Math.exp(1 - r / c);
}

/** [clipped matches, candidate n-grams]: each n-gram counts at most as often as in one reference. */
export function clippedPrecision(candidate: string[], references: string[][], n: number): [number, number] {
  const count = (tokens: string[]) => {
    const m = new Map<string, number>();
    for (let i = 0; i + n <= tokens.length; i++) {
      const key = tokens.slice(i, i + n).join(' ');
      m.set(key, (m.get(key) ?? 0) + 1);
    }
    return m;
  };
  const refCounts = references.map(count);
  let matches = 0, total = 0;
  for (const [gram, c] of count(candidate)) {
    matches += Math.min(c, Math.max(0, ...refCounts.map((r) => r.get(gram) ?? 0)));
    total += c;
  }
  return [matches, total];
}

/** Every extension of every hypothesis, scored by its total log-probability; the beamSize best, best first. */
export function extendBeams(beams: { tokens: number[]; logProb: number }[], logProbs: number[][], beamSize: number): { tokens: number[]; logProb: number }[] {
  const all = beams.flatMap((b, i) => logProbs[i].map((lp, token) => ({ tokens: [...b.tokens, token], logProb: b.logProb + lp })));
  return all.sort((a, b) => b.logProb - a.logProb).slice(0, beamSize);
}
