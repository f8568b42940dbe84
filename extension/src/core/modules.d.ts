// The contract's schema files, imported at build time (webpack and vitest read JSON).
declare module '@seqlab/engine/schemas/*.json' {
  const schema: Record<string, unknown>;
  export default schema;
}

// plotly.js ships no types; the views use the small surface described in plotly.ts.
declare module 'plotly.js-dist-min' {
  const Plotly: unknown;
  export default Plotly;
}
