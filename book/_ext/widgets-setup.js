// Loaded on pages that show saved ipywidgets, after RequireJS and before the widget bundle.
(function () {
  // 1. Tell RequireJS where the widget modules live: in jupyter-widgets/ beside this file. The
  //    bundle looks for its icon fonts beside its modules' addresses, so without this they would
  //    be requested relative to each page, where nothing serves them.
  //    The explorers' module, anywidget, is served beside it: without this entry the widget
  //    manager would fetch it from a CDN.
  const folder = new URL("jupyter-widgets", document.currentScript.src).href;
  window.require.config({
    paths: {
      "@jupyter-widgets": folder,
      "@jupyter-widgets/html-manager/dist": folder,
      anywidget: new URL("anywidget/index", document.currentScript.src).href,
    },
  });

  // 2. The bundle typesets widget labels with MathJax 2's call
  //    MathJax.Hub.Queue(["Typeset", MathJax.Hub, element]); the book loads MathJax 3. Answer
  //    that call with MathJax 3's typesetPromise, holding elements until MathJax is ready.
  const waiting = [];
  const hub = {
    Queue(command) {
      const element = command[2];
      if (window.MathJax && window.MathJax.typesetPromise) {
        window.MathJax.typesetPromise([element]);
      } else {
        waiting.push(element);
      }
    },
  };
  window.MathJax = window.MathJax || {};
  window.MathJax.Hub = hub;
  const startup = window.MathJax.startup || {};
  window.MathJax.startup = Object.assign(startup, {
    ready() {
      window.MathJax.startup.defaultReady();
      window.MathJax.Hub = hub;
      window.MathJax.startup.promise.then(() => window.MathJax.typesetPromise(waiting));
    },
  });

  // 3. Slider handles are ARIA sliders without a name; give each its widget's label, so that a
  //    screen reader says "kernel size, 3" rather than "slider, 3".
  function nameSliders(root) {
    root.querySelectorAll('[role="slider"]:not([aria-label])').forEach((handle) => {
      const widget = handle.closest(".widget-slider, .widget-hslider, .widget-vslider");
      const label = widget && widget.querySelector(".widget-label");
      const text = label && label.textContent.trim();
      handle.setAttribute("aria-label", text || "value");
    });
  }
  new MutationObserver(() => nameSliders(document)).observe(document.documentElement, {
    childList: true,
    subtree: true,
  });
})();
