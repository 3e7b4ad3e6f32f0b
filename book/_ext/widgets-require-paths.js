// Tell RequireJS where the ipywidgets modules live: next to this file, in jupyter-widgets/.
// The widget bundle looks for its icon fonts beside its module's address
// (@jupyter-widgets/html-manager/dist/), so without this they would be requested relative to
// each page, where nothing serves them.
(function () {
  const folder = new URL("jupyter-widgets", document.currentScript.src).href;
  window.require.config({ paths: { "@jupyter-widgets": folder } });
})();
