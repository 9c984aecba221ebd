/*
 * The LoyaltyLion SDK snippet for this shop, loaded in <head> on every page.
 *
 * It does what LoyaltyLion's official snippet does
 * (https://developers.loyaltylion.com/sdk/installation): define `window.loyaltylion`
 * (alias `window.lion`) as a stub that queues calls, load the SDK loader
 * asynchronously (a slow or blocked SDK host never holds up this page), and call
 * `loyaltylion.init` exactly once (https://developers.loyaltylion.com/sdk/initialize-sdk).
 *
 * The init options are rendered by the server, with Jinja's `tojson`, into
 * <script type="application/json" id="loyaltylion-config">: a data block, never
 * executed, never string-interpolated into code. For a logged-in customer they carry
 * the customer and a fresh server-side auth token; the site secret never gets here.
 * Being a same-origin file rather than an inline script also lets the
 * Content-Security-Policy forbid inline scripts altogether.
 */
(function (window, document) {
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

  // Calls made before the loader arrives are queued; the loader replays them in order.
  var buffer = [];
  sdk._buffer = buffer;
  ['authenticateCustomer', 'logoutCustomer', 'on', 'removeListener', 'configure'].forEach(
    function (name) {
      sdk[name] = function () {
        buffer.push([name, Array.prototype.slice.call(arguments)]);
      };
    }
  );

  var initialised = false;
  sdk.init = function (options) {
    if (initialised) {
      throw new Error('Cannot call loyaltylion.init more than once');
    }
    if (!options || !options.token) {
      throw new Error('Token must be supplied to loyaltylion.init');
    }
    initialised = true;
    sdk._token = options.token;
    sdk._initData = options;
  };

  var loader = document.createElement('script');
  loader.src = settings.loaderUrl;
  loader.async = true;
  document.head.appendChild(loader);

  sdk.init(settings.init);
})(window, document);
