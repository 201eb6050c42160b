/*
 * analytix boot: reads the page's config blocks, logs every decision and starts the vendors.
 * Runs last (deferred), after the logger, the config reader, the loader and the vendors.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || !analytix.readPageConfigs) {
    return;
  }

  var started = (analytix.startedServices = analytix.startedServices || {});

  function startService(service, nonce, log) {
    if (!service.on) {
      log.debug("not loaded: " + service.reason + (service.detail ? " (" + service.detail + ")" : ""));
      return;
    }
    if (started[service.name]) {
      log.verbose("already started on this page");
      return;
    }
    var vendorDef = analytix.vendors[service.name];
    if (!vendorDef) {
      log.warning("not loaded: no loader script for " + service.name + " on this page");
      return;
    }
    started[service.name] = true;
    log.verbose("on: loading with id " + service.id);
    try {
      vendorDef.load(service.id, {
        log: log,
        loadScript: function (url, options) {
          options = options || {};
          options.nonce = nonce;
          return analytix.loadScript(url, log, options);
        },
      });
    } catch (error) {
      log.warning("loader failed:", error && error.message);
    }
  }

  function boot() {
    var configs = analytix.readPageConfigs();
    for (var c = 0; c < configs.length; c++) {
      var config = configs[c];
      var pageLog = analytix.logger("analytix");
      pageLog.verbose('page area "' + config.area + '"');
      if (config.services.length && config.services[0].reason === "unknown area") {
        pageLog.warning('unknown page area "' + config.area + '": no vendor scripts loaded');
      }
      for (var s = 0; s < config.services.length; s++) {
        var service = config.services[s];
        var log = analytix.logger(service.label || service.name);
        log.group(service.on ? "verbose" : "debug", startService.bind(null, service, config.nonce, log));
      }
    }
  }

  analytix.boot = boot;
  boot();
})(window);
