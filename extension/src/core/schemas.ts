/**
 * The shared definitions every payload schema refers to: engine/schemas/common.v1.schema.json,
 * bundled at build time (there is no second copy). Each view's own schema is imported by
 * its view file and listed in its spec (views/registry.ts).
 */
import common from '@seqlab/engine/schemas/common.v1.schema.json' with { type: 'json' };

/** The shared definitions every payload schema refers to. */
export const COMMON_SCHEMA = common;
