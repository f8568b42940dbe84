/**
 * Node module-resolution hook for TensorFlow.js's ESM files. tfjs-core's gradients are
 * only published as ESM modules written for bundlers (`import './gradients/Abs_grad'`
 * without extension), which Node's ESM loader refuses; this hook retries such relative
 * imports inside @tensorflow packages with `.js` (or `/index.js`). Registered by
 * node-runner.ts (module.register) before it loads `register_all_gradients.js`. The
 * engine and the kernels of both copies are shared through tfjs's globals.
 */
interface ResolveContext {
  parentURL?: string;
}
type NextResolve = (specifier: string, context: ResolveContext) => Promise<unknown>;

export async function resolve(specifier: string, context: ResolveContext, next: NextResolve): Promise<unknown> {
  try {
    return await next(specifier, context);
  } catch (e) {
    const missing = (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' || (e as { code?: string }).code === 'ERR_UNSUPPORTED_DIR_IMPORT';
    if (!missing || !specifier.startsWith('.') || !(context.parentURL ?? '').includes('/@tensorflow/')) throw e;
    try {
      return await next(`${specifier}.js`, context);
    } catch {
      return next(`${specifier}/index.js`, context);
    }
  }
}
