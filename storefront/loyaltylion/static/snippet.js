/*
 * The LoyaltyLion SDK snippet, loaded in <head> on every page (templates/loyaltylion/sdk.html).
 *
 * It behaves exactly like LoyaltyLion's published snippet
 * (https://developers.loyaltylion.com/sdk/installation), written out readably:
 *
 *  1. define `window.loyaltylion` (alias `window.lion`, if free) as an array-like stub;
 *  2. at once, insert the dated loader
 *       <sdkOrigin>/static/2/<YYYYMMDD>/loader[-<revision>].js
 *     where the date is the browser's UTC day and the optional revision comes from the
 *     `ll_loader_revision` query parameter, kept in sessionStorage for the visit;
 *  3. in `init(options)` (once per page, https://developers.loyaltylion.com/sdk/initialize-sdk):
 *     define buffering stubs for `_push configure bootstrap shutdown on removeListener
 *     authenticateCustomer`, insert the per-site start script
 *       <sdkOrigin>/sdk/start/<YYYYMMDDTHH>/<site token>.js
 *     (UTC day and hour), and keep the options in `_initData`, the calls in `_buffer`.
 *
 * Both scripts are inserted before the page's first script with `crossOrigin = ""`
 * (CORS mode) and run asynchronously: a slow or blocked SDK host never holds up this
 * page. The SDK starts when both have arrived.
 *
 * What differs from the published snippet is where its inputs come from: the server
 * renders them, with Jinja's `tojson`, into
 * <script type="application/json" id="loyaltylion-config">{sdkOrigin, loaderUrl, init}</script>,
 * a data block that is never executed, and this file is same-origin, so the
 * Content-Security-Policy can forbid inline scripts altogether. `loaderUrl` is set only
 * when LOYALTYLION_SDK_URL overrides the loader. For a logged-in customer `init` carries
 * the customer and a fresh server-side auth token; the site secret never gets here.
 */
(function (document, window) {
  'use strict';

  var configElement = document.getElementById('loyaltylion-config');
  if (!configElement) {
    return; // LoyaltyLion is not configured for this store
  }
  var settings = JSON.parse(configElement.textContent);

  var sdk = window.loyaltylion || [];
  if (sdk.isLoyaltyLion) {
    return; // already set up (the snippet was included twice)
  }
  window.loyaltylion = sdk;
  if (window.lion === undefined) {
    window.lion = sdk;
  }
  sdk.version = 2;
  sdk.isLoyaltyLion = true;

  // "2026-12-02T05:26:17.000Z" -> "20261202T05:26:17.000Z": [0, 8) is the day,
  // [0, 11) the day and hour, both UTC.
  var now = new Date().toISOString().replace(/-/g, '');
  var revision = loaderRevision();

  insertScript(
    settings.loaderUrl ||
      settings.sdkOrigin + '/static/2/' + now.slice(0, 8) + '/loader' +
        (revision ? '-' + revision : '') + '.js'
  );

  var BUFFERED = '_push configure bootstrap shutdown on removeListener authenticateCustomer'.split(' ');
  var initialised = false;

  sdk.init = function (options) {
    if (initialised) {
      throw new Error('Cannot call lion.init more than once');
    }
    initialised = true;
    var token = (sdk._token = options.token);
    if (!token) {
      throw new Error('Token must be supplied to lion.init');
    }
    var buffer = [];
    BUFFERED.forEach(function (name) {
      sdk[name] = function () {
        buffer.push([name, Array.prototype.slice.call(arguments, 0)]);
      };
    });
    insertScript(settings.sdkOrigin + '/sdk/start/' + now.slice(0, 11) + '/' + token + '.js');
    sdk._initData = options;
    sdk._buffer = buffer;
  };

  sdk.init(settings.init);

  // ?ll_loader_revision=... pins a loader revision for this browser session.
  function loaderRevision() {
    if (typeof window.URLSearchParams !== 'function') {
      return null;
    }
    try {
      var name = 'll_loader_revision';
      var fromQuery = new window.URLSearchParams(window.location.search).get(name);
      if (fromQuery) {
        window.sessionStorage.setItem(name, fromQuery);
      }
      return window.sessionStorage.getItem(name);
    } catch (err) {
      return ''; // sessionStorage can be unavailable (privacy modes)
    }
  }

  function insertScript(src) {
    var first = document.getElementsByTagName('script')[0];
    var script = document.createElement('script');
    script.src = src;
    script.crossOrigin = '';
    first.parentNode.insertBefore(script, first);
  }
})(document, window);
