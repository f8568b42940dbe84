// The standalone bundle for offline pages (seqlab export): the same views as the
// JupyterLab extension, as one script `standalone/seqlab-views.js` that defines
// window.seqlabViews, plus plotly.js as a chunk beside it, fetched on the first draw
// (script tags, so it works from file:// too). Run after `tsc -b` (reads lib/).
const path = require('node:path');
const lab = require('./webpack.lab.cjs');

module.exports = {
  mode: 'production',
  target: 'web',
  entry: { 'seqlab-views': [path.resolve(__dirname, 'style/index.css'), path.resolve(__dirname, 'lib/standalone.js')] },
  output: {
    path: path.resolve(__dirname, 'standalone'),
    filename: '[name].js',
    chunkFilename: 'seqlab-[name].[contenthash:8].js',
    // Chunks are found next to the script that loaded seqlab-views.js, wherever a site puts it.
    publicPath: 'auto',
    clean: true,
  },
  module: {
    noParse: lab.module.noParse,
    rules: [
      { test: /\.css$/, use: [require.resolve('style-loader'), require.resolve('css-loader')] },
      { test: /\.m?js$/, resolve: { fullySpecified: false } },
    ],
  },
  optimization: lab.optimization,
  performance: { hints: false },
  devtool: false,
};
