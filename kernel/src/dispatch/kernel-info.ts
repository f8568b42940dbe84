/**
 * The kernel_info_reply content, one definition for the Node kernel (ZeroMQ) and the browser
 * kernel (JupyterLite): the same implementation name and `language_info`, so a notebook saved
 * in either carries the same metadata. Host-neutral: no Node built-ins.
 */

/** What differs between the hosts (the versions are passed in: reading them is host-specific). */
export interface KernelHostInfo {
  /** `@seqlab/kernel`'s version. */
  kernelVersion: string;
  /** The Jupyter messaging protocol version the host speaks. */
  protocolVersion: string;
  /** The TypeScript version that compiles cells. */
  typescriptVersion: string;
  /** Where cells run, for the banner: `Node v20.19.0`, `a Web Worker (Chrome 140)`. */
  runtime: string;
  /** A help link for the runtime's own API. */
  runtimeHelp: { text: string; url: string };
}

/** kernel_info_reply content. */
export function kernelInfoContent(host: KernelHostInfo): Record<string, unknown> {
  return {
    status: 'ok',
    protocol_version: host.protocolVersion,
    implementation: 'seqlab',
    implementation_version: host.kernelVersion,
    language_info: {
      name: 'typescript',
      version: host.typescriptVersion,
      mimetype: 'text/typescript',
      file_extension: '.ts',
      codemirror_mode: { name: 'javascript', typescript: true },
      pygments_lexer: 'typescript',
    },
    banner: `seqlab ${host.kernelVersion} — TypeScript ${host.typescriptVersion} on ${host.runtime}, with @seqlab/engine in scope`,
    help_links: [{ text: 'TypeScript handbook', url: 'https://www.typescriptlang.org/docs/handbook/intro.html' }, host.runtimeHelp],
    debugger: false,
  };
}
