/**
 * Axis ticks for the static figures: "nice" round numbers on linear axes, powers of ten
 * on log axes.
 */

/**
 * About `count` round tick values covering [min, max].
 *
 * @example niceTicks(0, 0.93)  // [0, 0.2, 0.4, 0.6, 0.8]
 */
export function niceTicks(min: number, max: number, count = 5): number[] {
  if (!(max > min)) return [min];
  const raw = (max - min) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  const step = (f < 1.5 ? 1 : f < 3 ? 2 : f < 7 ? 5 : 10) * mag;
  const ticks: number[] = [];
  // Integer multiples of the step avoid accumulating 0.1 + 0.2 style errors.
  for (let k = Math.ceil(min / step - 1e-9); k * step <= max + step * 1e-9; k++) {
    ticks.push(Number((k * step).toPrecision(12)));
  }
  return ticks;
}

/**
 * Ticks of a log axis within [min, max] (both > 0): powers of ten, thinned to about
 * `count`; with 1, 2, 5 times powers of ten when the range spans less than about three decades.
 *
 * @example logTicks(0.05, 3)  // [0.05, 0.1, 0.2, 0.5, 1, 2]
 */
export function logTicks(min: number, max: number, count = 6): number[] {
  const lo = Math.floor(Math.log10(min));
  const hi = Math.ceil(Math.log10(max));
  const inside = (v: number): boolean => v >= min * (1 - 1e-9) && v <= max * (1 + 1e-9);
  const mantissas = hi - lo <= 3 ? [1, 2, 5] : [1];
  const every = Math.max(1, Math.ceil((hi - lo + 1) / count));
  const ticks: number[] = [];
  for (let e = lo; e <= hi; e += every) {
    for (const m of mantissas) {
      const v = Number((m * 10 ** e).toPrecision(12));
      if (inside(v)) ticks.push(v);
    }
  }
  return ticks.length >= 2 ? ticks : niceTicks(min, max, 4).filter((v) => v > 0);
}
