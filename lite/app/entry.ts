/**
 * Entry of the seqlab site's page: the page config is made absolute first (site-config.ts),
 * then the JupyterLab host's bootstrap loads the prebuilt extensions and starts the app with
 * the lite app's plugin list (JupyterLite's in-browser services, the seqlab kernel).
 */
import './site-config.js';
import '../../extension/host/app/bootstrap.js';
