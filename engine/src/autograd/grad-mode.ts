/**
 * Whether operations record the graph for backward. Off inside `noGrad(() => ...)`.
 * It is module state, not a global: each engine instance has its own, and it is always
 * restored (try/finally), so an exception inside `noGrad` cannot leave recording off.
 */
let enabled = true;

export function isGradEnabled(): boolean {
  return enabled;
}

/** Sets grad mode and returns the previous value (internal: pair with a finally). */
export function setGradEnabled(value: boolean): boolean {
  const prev = enabled;
  enabled = value;
  return prev;
}

/**
 * Runs `fn` without recording operations for autograd, like PyTorch's `torch.no_grad()`:
 * results do not require grad and hold no graph, which saves memory and time in
 * evaluation, sampling and optimizer updates.
 *
 * `fn` must be synchronous: grad mode is restored when it returns, so work after an
 * `await` inside it would run with recording back on. A function returning a Promise is
 * rejected with an error rather than silently half-applied.
 *
 * @example
 * const preds = noGrad(() => model.forward(x));
 */
export function noGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(false);
  let result: T;
  try {
    result = fn();
  } finally {
    setGradEnabled(prev);
  }
  if (result !== null && typeof result === 'object' && typeof (result as { then?: unknown }).then === 'function') {
    throw new TypeError(
      'noGrad: the function returned a Promise. noGrad covers synchronous code only; ' +
        'call noGrad around each synchronous step inside your async function instead.',
    );
  }
  return result;
}

/** Runs `fn` with recording on, even inside an enclosing `noGrad`. */
export function enableGrad<T>(fn: () => T): T {
  const prev = setGradEnabled(true);
  try {
    return fn();
  } finally {
    setGradEnabled(prev);
  }
}
