// Extra webpack configuration for build-labextension (merged into @jupyterlab/builder's):
// plotly.js-dist-min is already minified, so it is neither parsed for imports nor put
// through Terser again; that takes the build from minutes to seconds.
const TerserPlugin = require('terser-webpack-plugin');

module.exports = {
  module: { noParse: /plotly\.js-dist-min[\\/]plotly\.min\.js$/ },
  optimization: { minimizer: [new TerserPlugin({ exclude: /plotly/ })] },
};
