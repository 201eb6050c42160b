/*
 * The Drift facade (load trigger "facade"): a first-party launcher button in Drift's place,
 * bottom right, until the visitor reaches for it.
 *
 *   shown          no request to Drift; window.drift is already the snippet's method queue, so
 *                  the page's drift calls wait in it
 *   hover / focus  <link rel="preconnect"> to js.driftt.com (not on Save-Data or a 2g connection)
 *   click          the real widget loads (boot.js's loader, with the nonce), and once Drift is
 *                  ready it opens the chat (drift.on("ready", api => api.openChat())) and the
 *                  launcher removes itself
 *
 * No inline style or script: the look comes from static/analytix/css/launcher.css (the config's
 * facadeStyle URL, so a CSP with style-src 'self' holds), themable with custom properties. The
 * launcher goes on the page only once that stylesheet has loaded, so it is never seen unstyled
 * in the page flow; without the stylesheet (no URL, blocked, offline) there is no launcher and
 * Drift starts at the visitor's first interaction instead, with a warning.
 */
(function (window) {
  "use strict";

  var analytix = window.analytix;
  if (!analytix || Object.getPrototypeOf(analytix) !== Object.prototype || analytix.__analytix__ !== true) {
    return; // not our object: logger.js did not run (see there)
  }
  var facades = (analytix.facades = analytix.facades || {});
  if (facades.drift) {
    return;
  }

  var ORIGIN = "https://js.driftt.com";
  var SLOW_CONNECTIONS = { "slow-2g": true, "2g": true };
  var BODY = Object.getOwnPropertyDescriptor(window.Document.prototype, "body").get;
  var dom = analytix.dom;

  // Save-Data or a slow connection: nothing before the click, not even a preconnect.
  function constrained() {
    var connection = window.navigator.connection;
    return Boolean(connection) && (connection.saveData === true || SLOW_CONNECTIONS[connection.effectiveType] === true);
  }

  function link(rel, href) {
    var element = dom.create("link");
    element.rel = rel;
    element.href = href;
    dom.appendToHead(element);
    return element;
  }

  function launcher() {
    var button = dom.create("button");
    button.type = "button";
    button.className = "analytix-launcher";
    button.setAttribute("aria-label", "Open chat");
    var icon = dom.create("span");
    icon.className = "analytix-launcher__icon";
    icon.setAttribute("aria-hidden", "true");
    button.appendChild(icon);
    return button;
  }

  facades.drift = function (record, start, log) {
    var definition = analytix.vendors.drift;
    var drift = definition && definition.stub ? definition.stub(log) : null;
    var body = BODY.call(window.document);
    function instead(why) {
      log.warning("facade not shown (" + why + "): loads on the first interaction");
      analytix.onTrigger("interaction", start);
    }
    if (!drift || !body) {
      instead("no Drift loader or no <body>");
      return;
    }
    if (!record.facadeStyle) {
      instead("no stylesheet for the launcher");
      return;
    }
    // Resolved against the document's address: an injected <base href> cannot move it.
    var style = link("stylesheet", new window.URL(record.facadeStyle, window.location.href).href);
    var button = launcher();
    var preconnected = false;

    function preconnect() {
      if (preconnected || constrained()) {
        return;
      }
      preconnected = true;
      link("preconnect", ORIGIN);
      log.verbose("facade: preconnect to " + ORIGIN);
    }

    function open() {
      if (button.getAttribute("aria-busy") === "true") {
        return;
      }
      button.setAttribute("aria-busy", "true");
      log.debug("facade clicked: loading the chat");
      drift.on("ready", function (api) {
        if (button.parentNode) {
          button.parentNode.removeChild(button);
        }
        if (api && typeof api.openChat === "function") {
          api.openChat();
        }
      });
      start();
    }

    button.addEventListener("pointerenter", preconnect);
    button.addEventListener("focus", preconnect);
    button.addEventListener("click", open);
    style.addEventListener("load", function () {
      window.Node.prototype.appendChild.call(body, button);
      log.debug("facade shown; loads on click");
    });
    style.addEventListener("error", function () {
      instead("its stylesheet failed to load: " + style.href);
    });
  };
})(window);
