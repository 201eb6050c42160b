/*
 * analytix config reader: the JSON blocks that {% analytics_scripts %} writes.
 *
 * Each block is read once, even when the tag (or this file) appears twice on a page.
 * The CSP nonce comes from the block's own nonce property, never from its text.
 */
(function (window) {
  "use strict";

  var analytix = (window.analytix = window.analytix || {});
  if (analytix.readPageConfigs) {
    return;
  }

  var SELECTOR = 'script[type="application/json"][data-analytix-config]';
  var log = analytix.logger("analytix");
  var levelSet = false;

  // Returns the config blocks not read before, parsed; a broken block is skipped with a warning.
  analytix.readPageConfigs = function () {
    var blocks = analytix.dom.queryAll(SELECTOR); // an <img name="querySelectorAll"> overrides document's own
    var configs = [];
    for (var i = 0; i < blocks.length; i++) {
      var block = blocks[i];
      if (block.hasAttribute("data-analytix-read")) {
        continue;
      }
      block.setAttribute("data-analytix-read", "");
      var config;
      try {
        config = JSON.parse(block.textContent);
      } catch (error) {
        log.warning("unreadable config block skipped:", error && error.message);
        continue;
      }
      if (!config || !Array.isArray(config.services)) {
        log.warning("config block without services skipped");
        continue;
      }
      // The server leaves out empty fields (and `detail` where the log level never prints
      // it): every service record still has them all.
      for (var s = 0; s < config.services.length; s++) {
        var service = config.services[s];
        service.reason = service.reason || "";
        service.detail = service.detail || "";
        service.id = service.id || null;
        service.waiting = service.waiting === true;
      }
      config.nonce = block.nonce || block.getAttribute("nonce") || "";
      if (!levelSet) {
        analytix.setLogLevel(config.logLevel);
        levelSet = true;
      }
      configs.push(config);
    }
    return configs;
  };
})(window);
