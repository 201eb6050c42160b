// A fake consent manager that sets Google Consent Mode, for the browser tests: the page's own
// first-party script, run with the page's nonce before the analytix tag, as such CMPs' page
// scripts are. It makes dataLayer and gtag, sends its default (every signal denied), then an
// update with the visitor's stored choice (the first-party cookie "fake_gcm"), if any. The
// test chooses with fakeGcmCmp.choose({analytics_storage: "granted", ...}).
(function () {
  "use strict";

  window.dataLayer = window.dataLayer || [];
  function gtag() {
    window.dataLayer.push(arguments);
  }
  window.gtag = window.gtag || gtag;

  gtag("consent", "default", {
    ad_storage: "denied",
    analytics_storage: "denied",
    ad_user_data: "denied",
    ad_personalization: "denied",
    functionality_storage: "denied",
    wait_for_update: 500,
  });
  var match = /(?:^|; )fake_gcm=([^;]*)/.exec(document.cookie);
  if (match) {
    gtag("consent", "update", JSON.parse(decodeURIComponent(match[1])));
  }

  window.fakeGcmCmp = {
    choose: function (signals) {
      document.cookie = "fake_gcm=" + encodeURIComponent(JSON.stringify(signals)) + "; path=/";
      gtag("consent", "update", signals);
    },
  };
})();
