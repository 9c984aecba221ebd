// Progressive enhancement for LOYALTYLION_UI=headless: the page is complete without
// this script (the server rendered the points). With it, the points on the page are
// refreshed from the Headless API when the shopper comes back to the tab, straight
// from the browser, authenticated by the customer session token the server minted
// (https://developers.loyaltylion.com/headless-api/session-tokens). The token only lets
// this shopper read and act as themselves; it expires (expiresIn), and the next page
// load brings a fresh one.
(function () {
  "use strict";
  var data = document.getElementById("loyaltylion-headless");
  if (!data || !window.fetch) return;
  var settings;
  try {
    settings = JSON.parse(data.textContent);
  } catch (error) {
    return;
  }
  var expiresAt = Date.now() + (settings.expiresIn - 30) * 1000;
  var url = settings.apiUrl + "/headless/2025-06/" + encodeURIComponent(settings.siteId) +
    "/customers/" + encodeURIComponent(settings.merchantId);

  function show(customer) {
    var fields = { approved: customer.points_approved, pending: customer.points_pending };
    document.querySelectorAll("[data-lion-headless-points]").forEach(function (element) {
      var value = fields[element.getAttribute("data-lion-headless-points")];
      if (typeof value === "number") element.textContent = value.toLocaleString("en-US");
    });
  }

  function refresh() {
    if (document.visibilityState !== "visible" || Date.now() > expiresAt) return;
    fetch(url, {
      headers: {
        Authorization: "Bearer " + settings.token,
        "X-LoyaltyLion-Channel": settings.channel,
        Accept: "application/json",
      },
      credentials: "omit",
    })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (body) { if (body && body.customer) show(body.customer); })
      .catch(function () { /* the server-rendered figures stay */ });
  }

  document.addEventListener("visibilitychange", refresh);
})();
