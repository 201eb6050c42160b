/*
 * analytix vendor cookies: each vendor's first-party cookies, removed in the page when the
 * visitor withdraws or refuses the vendor's category (consent.js calls remove()).
 *
 * VENDOR_COOKIES is the table: service -> cookie names, a trailing "*" matching any name that
 * starts with the rest. It is plain JSON on purpose: the server keeps the same table for its
 * next-response deletion, and a Python test reads this one to keep the two equal.
 *
 * A cookie is deleted on every path that can hold it for this page (each prefix of the URL's
 * path, with and without its trailing "/") and on the host and each parent domain down to the
 * registrable domain ("www.shop.example.co.uk" -> "shop.example.co.uk" -> "example.co.uk",
 * never "co.uk"; browsers refuse cookies on a public suffix anyway, so a suffix missing from
 * MULTI_PART_SUFFIXES costs one write the browser ignores). What the page cannot reach stays:
 * HttpOnly cookies, and cookies set on a path deeper than this page's (the server's deletion
 * and the next page's pass take those).
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true ||
      analytix.vendorCookies) {
    return; // not ours (logger.js did not run: see there), or this file ran already
  }

  var VENDOR_COOKIES = {
    "google": ["_ga", "_ga_*", "_gac_*", "_gid", "_gat*", "_gcl_*"],
    "hubspot": ["hubspotutk", "__hs*", "messagesUtk"],
    "fullstory": ["fs_uid", "fs_lua", "fs_cid", "fs_trusted"],
    "facebook_pixel": ["_fbp", "_fbc"],
    "kissmetrics": ["km_*", "_km*", "kvcd"],
    "drift": ["drift_aid", "driftt_aid", "drift_eid", "driftt_eid", "driftt_sid", "drift_campaign_refresh",
      "DFTT_END_USER_PREV_BOOTSTRAPPED"]
  };

  // Second-level suffixes under which a registrable domain has three labels (a short list of
  // the common ones, not the Public Suffix List).
  var MULTI_PART_SUFFIXES = [
    "co.uk", "org.uk", "me.uk", "ltd.uk", "plc.uk", "ac.uk", "gov.uk", "com.au", "net.au", "org.au",
    "co.nz", "org.nz", "co.jp", "ne.jp", "or.jp", "co.kr", "com.br", "com.cn", "com.hk", "com.sg",
    "com.tw", "co.in", "co.za", "com.mx", "com.ar", "com.tr", "co.il", "com.pl", "co.id", "com.my",
  ];
  var MAX_PATH_SEGMENTS = 10; // deeper paths: the first ten segments' prefixes
  var EXPIRED = "=; expires=Thu, 01 Jan 1970 00:00:00 GMT; max-age=0; path=";

  function matches(pattern, name) {
    return pattern.charAt(pattern.length - 1) === "*"
      ? name.indexOf(pattern.slice(0, -1)) === 0
      : name === pattern;
  }

  // The names of this service's cookies the page can see now.
  function present(service) {
    var patterns = Object.prototype.hasOwnProperty.call(VENDOR_COOKIES, service) ? VENDOR_COOKIES[service] : [];
    var names = Object.keys(analytix.consentCookie.read());
    return names.filter(function (name) {
      return patterns.some(function (pattern) {
        return matches(pattern, name);
      });
    });
  }

  // "/shop/cart/1" -> ["/", "/shop", "/shop/", "/shop/cart", "/shop/cart/", "/shop/cart/1", "/shop/cart/1/"]
  function paths(pathname) {
    var result = ["/"];
    var segments = String(pathname).split("/").filter(Boolean).slice(0, MAX_PATH_SEGMENTS);
    var path = "";
    for (var i = 0; i < segments.length; i++) {
      path += "/" + segments[i];
      result.push(path, path + "/");
    }
    return result;
  }

  // The Domain attributes to try: none (a host-only cookie), then the host and each parent
  // down to the registrable domain. An IP address or a one-label host ("localhost"): none only.
  function domains(hostname) {
    var host = String(hostname).toLowerCase().replace(/\.$/, "");
    if (!host || host.indexOf(".") === -1 || host.indexOf(":") !== -1 || /^[0-9.]+$/.test(host)) {
      return [null];
    }
    var labels = host.split(".");
    var suffixLabels = MULTI_PART_SUFFIXES.indexOf(labels.slice(-2).join(".")) !== -1 ? 2 : 1;
    var result = [null];
    for (var i = 0; labels.length - i > suffixLabels; i++) {
      result.push(labels.slice(i).join("."));
    }
    return result;
  }

  // Deletes one cookie name everywhere this page can reach it.
  function expire(name, location) {
    var secure = location.protocol === "https:" ? "; Secure" : "";
    var pathList = paths(location.pathname);
    var domainList = domains(location.hostname);
    for (var p = 0; p < pathList.length; p++) {
      for (var d = 0; d < domainList.length; d++) {
        var domain = domainList[d] === null ? "" : "; domain=" + domainList[d];
        analytix.dom.setCookie(name + EXPIRED + pathList[p] + domain + secure);
      }
    }
  }

  // Removes these services' cookies; returns the names that were there (and are gone, as far
  // as the page can tell: `left` lists any still visible).
  function remove(services) {
    var removed = [];
    for (var i = 0; i < services.length; i++) {
      var names = present(services[i]);
      for (var n = 0; n < names.length; n++) {
        expire(names[n], window.location);
        removed.push(names[n]);
      }
    }
    var left = [];
    for (var s = 0; s < services.length; s++) {
      left = left.concat(present(services[s]));
    }
    return { removed: removed, left: left };
  }

  analytix.vendorCookies = { table: VENDOR_COOKIES, present: present, remove: remove, paths: paths, domains: domains };
})(window);
