/**
 * The MIME schemas the renderers validate with: the very files in engine/schemas/,
 * bundled at build time (there is no second copy).
 */
import attention from '@seqlab/engine/schemas/attention.v1.schema.json' with { type: 'json' };
import common from '@seqlab/engine/schemas/common.v1.schema.json' with { type: 'json' };
import gates from '@seqlab/engine/schemas/gates.v1.schema.json' with { type: 'json' };
import hiddenStates from '@seqlab/engine/schemas/hidden-states.v1.schema.json' with { type: 'json' };
import plotly from '@seqlab/engine/schemas/plotly.v1.schema.json' with { type: 'json' };

/** MIME types the extension renders. */
export const MIME_TYPES = {
  attention: 'application/vnd.seqlab.attention.v1+json',
  hiddenStates: 'application/vnd.seqlab.hidden-states.v1+json',
  gates: 'application/vnd.seqlab.gates.v1+json',
  plotly: 'application/vnd.plotly.v1+json',
} as const;

export type SeqlabMimeType = (typeof MIME_TYPES)[keyof typeof MIME_TYPES];

/** The shared definitions every payload schema refers to. */
export const COMMON_SCHEMA = common;

/** Schema of each MIME type (each schema's title is its MIME type). */
export const SCHEMAS: Record<SeqlabMimeType, Record<string, unknown>> = {
  [MIME_TYPES.attention]: attention,
  [MIME_TYPES.hiddenStates]: hiddenStates,
  [MIME_TYPES.gates]: gates,
  [MIME_TYPES.plotly]: plotly,
};
