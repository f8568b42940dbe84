/**
 * The stylesheet of exported course pages (`_static/site.css`): prose in a readable measure
 * (`--measure`, about 80 characters a line) centred in the window, while what needs width —
 * code cells with their outputs and views, display equations, tables, fenced code — breaks out
 * of it, up to `--wide` or the window, and scrolls within itself only when wider still. Light or
 * dark after the reader's system setting; prints light, without navigation, keeping code cells
 * and figures whole where a page break allows.
 */
export const SITE_CSS = `/* seqlab export: course pages */
:root {
  color-scheme: light dark;
  --bg: #ffffff;
  --fg: #1f2328;
  --muted: #59636e;
  --border: #d1d9e0;
  --code-bg: #f6f8fa;
  --accent: #0969da;
  --stderr-bg: #fff8c5;
  --error-bg: #ffebe9;
  --error-border: #ff818266;
  --shadow: 0 1px 2px rgba(31, 35, 40, 0.06);
  --measure: 46rem;
  --wide: 76rem;
  --ansi-black: #24292f; --ansi-red: #cf222e; --ansi-green: #116329; --ansi-yellow: #8a6100;
  --ansi-blue: #0550ae; --ansi-magenta: #8250df; --ansi-cyan: #1b7c83; --ansi-white: #6e7781;
  --ansi-black-i: #57606a; --ansi-red-i: #a40e26; --ansi-green-i: #1a7f37; --ansi-yellow-i: #633c01;
  --ansi-blue-i: #218bff; --ansi-magenta-i: #a475f9; --ansi-cyan-i: #3192aa; --ansi-white-i: #8c959f;
}
@media screen and (prefers-color-scheme: dark) {
  :root {
    --bg: #0d1117;
    --fg: #e6edf3;
    --muted: #9198a1;
    --border: #3d444d;
    --code-bg: #151b23;
    --accent: #4493f8;
    --stderr-bg: #2e2a16;
    --error-bg: #2d1618;
    --error-border: #f8514966;
    --shadow: none;
    --ansi-black: #8b949e; --ansi-red: #ff7b72; --ansi-green: #3fb950; --ansi-yellow: #d29922;
    --ansi-blue: #58a6ff; --ansi-magenta: #bc8cff; --ansi-cyan: #39c5cf; --ansi-white: #b1bac4;
    --ansi-black-i: #6e7681; --ansi-red-i: #ffa198; --ansi-green-i: #56d364; --ansi-yellow-i: #e3b341;
    --ansi-blue-i: #79c0ff; --ansi-magenta-i: #d2a8ff; --ansi-cyan-i: #56d4dd; --ansi-white-i: #f0f6fc;
  }
}

*, *::before, *::after { box-sizing: border-box; }
html { background: var(--bg); color: var(--fg); -webkit-text-size-adjust: 100%; }
body {
  margin: 0;
  padding: 0 1.25rem 3rem;
  font: 17px/1.65 system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;
  overflow-wrap: break-word;
}
a { color: var(--accent); }
a:hover { text-decoration-thickness: 2px; }
:focus-visible { outline: 2px solid var(--accent); outline-offset: 2px; }
.skip-link { position: absolute; left: -999px; }
.skip-link:focus { left: 1rem; top: 1rem; background: var(--bg); padding: 0.25rem 0.5rem; }

.site-header {
  display: flex; flex-wrap: wrap; align-items: baseline; justify-content: space-between; gap: 0.25rem 1rem;
  padding: 1rem 0 0.75rem; margin-bottom: 1.5rem; border-bottom: 1px solid var(--border);
  font-size: 0.9rem; color: var(--muted);
}
.site-title { font-weight: 600; color: var(--fg); text-decoration: none; }
.site-header, .pager, .site-footer, main.index { max-width: var(--measure); margin-left: auto; margin-right: auto; }

/* Block layout, so vertical margins collapse as in any document: each block of prose is centred
   in the measure; wide blocks are centred in the wide column (or the window, when narrower). */
section.markdown-cell > * { max-width: var(--measure); margin-left: auto; margin-right: auto; }
/* Code cells take the wide column (their outputs and views size to it). */
main.notebook > .code-cell, main.notebook > .raw-cell { max-width: var(--wide); margin-left: auto; margin-right: auto; }
/* Display math spans the wide column, centred as the prose is. */
section.markdown-cell > .math-display { max-width: var(--wide); }
/* Tables and fenced code are as wide as their content: never narrower than the measure (so they
   line up with the prose), never wider than the wide column. */
section.markdown-cell > .table-wrap, section.markdown-cell > pre { width: fit-content; min-width: min(100%, var(--measure)); max-width: min(100%, var(--wide)); }

h1, h2, h3, h4, h5, h6 { line-height: 1.25; margin: 1.8em 0 0.6em; font-weight: 650; }
h1 { font-size: 2.1rem; margin-top: 0.5em; }
h2 { font-size: 1.55rem; padding-bottom: 0.2em; border-bottom: 1px solid var(--border); }
h3 { font-size: 1.25rem; }
.anchor-link { margin-left: 0.35em; font-weight: 400; color: var(--muted); text-decoration: none; opacity: 0; }
:is(h1, h2, h3, h4, h5, h6):hover .anchor-link, .anchor-link:focus { opacity: 1; }
p, ul, ol, blockquote, .table-wrap { margin: 0 0 1em; }
blockquote { padding: 0 1em; color: var(--muted); border-left: 0.25em solid var(--border); }
hr { border: 0; border-top: 1px solid var(--border); margin: 2em 0; }
img { max-width: 100%; height: auto; }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; font-size: 0.95em; }
th, td { padding: 0.35em 0.75em; border: 1px solid var(--border); }
th { background: var(--code-bg); }

code, pre, kbd, samp { font-family: ui-monospace, SFMono-Regular, 'SF Mono', Menlo, Consolas, 'Liberation Mono', monospace; font-size: 0.85em; }
:not(pre) > code { padding: 0.1em 0.35em; border-radius: 4px; background: var(--code-bg); }
pre { margin: 0; padding: 0.75rem 1rem; overflow-x: auto; line-height: 1.45; border-radius: 6px; background: var(--code-bg); tab-size: 2; }
pre code, pre code.hljs { padding: 0; background: transparent; font-size: 1em; }
.markdown-cell pre { margin-bottom: 1em; }

.math-display, .latex-output { margin: 0 0 1em; overflow-x: auto; overflow-y: hidden; }
.katex-display { margin: 0.5em 0; }
.math-error { color: var(--ansi-red); font-family: ui-monospace, monospace; font-size: 0.9em; white-space: pre-wrap; }

.cell { margin: 0 0 1.25rem; }
.code-cell { border: 1px solid var(--border); border-radius: 8px; box-shadow: var(--shadow); overflow: hidden; }
.code-cell .input pre.source { border-radius: 0; padding-right: 3.5rem; }
.code-cell .input + .outputs { border-top: 1px solid var(--border); }
.input { position: relative; }
.prompt { font-family: ui-monospace, monospace; font-size: 0.75rem; color: var(--muted); user-select: none; }
.in-prompt { position: absolute; right: 0.5rem; top: 0.3rem; }
.out-prompt { float: right; margin: 0.1rem 0 0 0.5rem; }
.outputs { padding: 0.5rem 1rem; display: flex; flex-direction: column; gap: 0.5rem; }
.output { min-width: 0; }
.output pre, pre.output { padding: 0.25rem 0; background: transparent; border-radius: 0; white-space: pre-wrap; word-break: break-word; }
pre.stderr { padding: 0.25rem 0.5rem; background: var(--stderr-bg); border-radius: 4px; }
pre.error { padding: 0.5rem 0.75rem; background: var(--error-bg); border: 1px solid var(--error-border); border-radius: 4px; }
.output-image { display: block; max-width: 100%; height: auto; }
.seqlab-output { min-width: 0; }
.seqlab-static { display: block; max-width: 100%; height: auto; }
.seqlab-static[hidden] { display: none; }
iframe.html-output { display: block; width: 100%; height: 12rem; border: 0; background: transparent; }
.markdown-output > :last-child { margin-bottom: 0; }
.output-unsupported { color: var(--muted); font-style: italic; font-size: 0.9em; }

/* ansi_up's class names for the 16 standard colours (bold, italic, 256 and true colours come as inline styles). */
.ansi-black-fg { color: var(--ansi-black); } .ansi-red-fg { color: var(--ansi-red); } .ansi-green-fg { color: var(--ansi-green); } .ansi-yellow-fg { color: var(--ansi-yellow); }
.ansi-blue-fg { color: var(--ansi-blue); } .ansi-magenta-fg { color: var(--ansi-magenta); } .ansi-cyan-fg { color: var(--ansi-cyan); } .ansi-white-fg { color: var(--ansi-white); }
.ansi-bright-black-fg { color: var(--ansi-black-i); } .ansi-bright-red-fg { color: var(--ansi-red-i); } .ansi-bright-green-fg { color: var(--ansi-green-i); } .ansi-bright-yellow-fg { color: var(--ansi-yellow-i); }
.ansi-bright-blue-fg { color: var(--ansi-blue-i); } .ansi-bright-magenta-fg { color: var(--ansi-magenta-i); } .ansi-bright-cyan-fg { color: var(--ansi-cyan-i); } .ansi-bright-white-fg { color: var(--ansi-white-i); }
.ansi-black-bg { background: var(--ansi-black); } .ansi-red-bg { background: var(--ansi-red); } .ansi-green-bg { background: var(--ansi-green); } .ansi-yellow-bg { background: var(--ansi-yellow); }
.ansi-blue-bg { background: var(--ansi-blue); } .ansi-magenta-bg { background: var(--ansi-magenta); } .ansi-cyan-bg { background: var(--ansi-cyan); } .ansi-white-bg { background: var(--ansi-white); }
.ansi-bright-black-bg { background: var(--ansi-black-i); } .ansi-bright-red-bg { background: var(--ansi-red-i); } .ansi-bright-green-bg { background: var(--ansi-green-i); } .ansi-bright-yellow-bg { background: var(--ansi-yellow-i); }
.ansi-bright-blue-bg { background: var(--ansi-blue-i); } .ansi-bright-magenta-bg { background: var(--ansi-magenta-i); } .ansi-bright-cyan-bg { background: var(--ansi-cyan-i); } .ansi-bright-white-bg { background: var(--ansi-white-i); }

.pager { display: flex; justify-content: space-between; gap: 1rem; margin: 3rem auto 1rem; padding-top: 1rem; border-top: 1px solid var(--border); }
.pager a { display: flex; flex-direction: column; max-width: 48%; text-decoration: none; }
.pager .next { margin-left: auto; text-align: right; }
.pager-label { font-size: 0.8rem; color: var(--muted); }
.site-footer { margin-top: 2rem; font-size: 0.8rem; color: var(--muted); }

.toc { list-style: none; padding: 0; counter-reset: none; }
.toc li { margin: 0 0 1.25rem; padding: 1rem 1.25rem; border: 1px solid var(--border); border-radius: 8px; box-shadow: var(--shadow); }
.toc-title { font-size: 1.2rem; font-weight: 600; }
.toc-summary { margin: 0.35rem 0 0; color: var(--muted); font-size: 0.95rem; display: -webkit-box; -webkit-box-orient: vertical; -webkit-line-clamp: 3; line-clamp: 3; overflow: hidden; }
.toc-file { margin: 0.35rem 0 0; font-size: 0.8rem; color: var(--muted); }

@media (max-width: 40rem) {
  body { font-size: 16px; padding: 0 0.75rem 2rem; }
  .outputs { padding: 0.5rem; }
}

@media print {
  :root { --bg: #ffffff; --fg: #000000; --muted: #444444; --code-bg: #f6f8fa; --border: #cccccc; --shadow: none; }
  body { padding: 0; font-size: 11pt; }
  .site-footer { max-width: none; }
  .page-position, .pager, .skip-link, .anchor-link { display: none; }
  a { color: inherit; }
  .code-cell, .toc li { box-shadow: none; }
  .input, .output-image, .seqlab-output, .math-display, .katex-display, table, figure { break-inside: avoid; }
  /* Paper gets each view's static figure (labelled, light, no controls) instead of the live view. */
  .seqlab-output > .seqlab-view { display: none !important; }
  .seqlab-output > .seqlab-static { display: block !important; }
  h1, h2, h3, h4 { break-after: avoid; }
  pre, .output pre { white-space: pre-wrap; overflow: visible; }
}
`;
