/*
 * analytix boot: reads the page's config blocks, logs every decision and starts the vendors.
 * Runs last (deferred), after the logger, the config reader, the loader and the vendors.
 *
 * window.analytix.services[name] keeps, per service of the page, its decision and its state:
 *   {name, label, category, on, id, reason, detail, state}
 *   state: "off" | "starting" | "loading" | "loaded" | "failed"
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || !analytix.readPageConfigs) {
    return;
  }

  var services = (analytix.services = analytix.services || {});

  // The context a vendor definition gets: its logger, and loadScript bound to its record.
  function vendorContext(record, nonce, log) {
    return {
      log: log,
      record: record,
      loadScript: function (url, options) {
        options = options || {};
        options.nonce = nonce;
        var onload = options.onload;
        var onerror = options.onerror;
        options.onload = function () {
          if (record.state !== "failed") {
            record.state = "loaded";
          }
          if (onload) {
            onload();
          }
        };
        options.onerror = function () {
          record.state = "failed";
          if (onerror) {
            onerror();
          }
        };
        if (record.state === "starting") {
          record.state = "loading";
        }
        return analytix.loadScript(url, log, options);
      },
    };
  }

  function startService(service, nonce, log) {
    var known = services[service.name];
    if (known && known.on) {
      log.verbose("already started on this page");
      return;
    }
    var record = {};
    for (var key in service) {
      if (Object.prototype.hasOwnProperty.call(service, key)) {
        record[key] = service[key];
      }
    }
    record.state = "off";
    services[service.name] = record;
    if (!service.on) {
      log.debug("not loaded: " + service.reason + (service.detail ? " (" + service.detail + ")" : ""));
      return;
    }
    var definition = analytix.vendors[service.name];
    if (!definition) {
      record.on = false;
      record.reason = "no loader";
      log.warning("not loaded: no loader script for " + service.name + " on this page");
      return;
    }
    record.state = "starting";
    log.verbose("on: loading with id " + service.id);
    try {
      definition.load(service.id, vendorContext(record, nonce, log));
    } catch (error) {
      record.state = "failed";
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
