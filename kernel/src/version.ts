/** Version strings of the kernel, read from its package.json. */
import { createRequire } from 'node:module';

/** `@seqlab/kernel`'s version, e.g. "0.1.0". */
export const KERNEL_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
