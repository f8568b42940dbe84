/**
 * Payload types of the seqlab MIME types: the engine's own declarations (type-only, so
 * nothing of the engine is bundled), plus the plotly figure shape.
 */
export type { AttentionPayload, HiddenStatesPayload, GatesPayload, GateName, PlotlyFigure, Cut } from '@seqlab/engine';
