/*
 * LoyaltyLion sandbox SDK stand-in. NOT the real LoyaltyLion SDK, not for production.
 *
 * Served where LoyaltyLion's published snippet looks for the loader,
 * <sandbox>/static/2/<YYYYMMDD>/loader.js (https://developers.loyaltylion.com/sdk/installation).
 * It implements the documented browser API
 * (https://developers.loyaltylion.com/sdk/initialize-sdk) closely enough to develop
 * and test a shop against the local sandbox:
 *
 *   loyaltylion.init({token, customer: {id, email}, auth: {date, token}})  once per page
 *   loyaltylion.authenticateCustomer({customer, auth})                     later login
 *   loyaltylion.logoutCustomer()                                           SPA logout
 *   loyaltylion.on(eventName, handler) / removeListener(eventName, handler)
 *
 * Like the real SDK it starts only when both of the snippet's scripts have arrived:
 * this loader, and the per-site start script that the snippet's `init` requests
 * (<sandbox>/sdk/start/<YYYYMMDDTHH>/<site token>.js) for the token `init` was given.
 * Until then it leaves the snippet's stub alone (its `init` is what requests the start
 * script) and shows no UI. Then it takes over the stub (same object, kept under both
 * window.loyaltylion and window.lion), runs the init the stub recorded in `_initData`
 * and replays the calls queued in `_buffer`, in order.
 *
 * The customer auth token is checked by the sandbox server (POST /sdk/session),
 * never here; afterwards the page holds a short-lived session token only.
 *
 * Claiming a voucher reward shows its code; claiming a custom reward shows its
 * fulfilment ("Claimed — fulfilment pending", then "Claimed — fulfilled" once the
 * shop has answered LoyaltyLion's webhook), polled for a short while.
 *
 * For tests, state is exposed on `loyaltylion.sandbox`:
 *   {started, ready: Promise, settled: Promise, state, authenticated, customer, lastError, refresh()}
 * and on <html data-lion-state="waiting|loading|guest|customer|error">.
 *
 * Plain ES2017, no dependencies.
 */
(function () {
  'use strict';

  var existing = window.loyaltylion;
  if (existing && existing.isSandbox) {
    return; // loaded twice: the first copy is in charge
  }

  // ------------------------------------------------------------------ setup

  var ORIGIN = (function () {
    var script = document.currentScript ||
      document.querySelector('script[src*="/static/2/"][src*="/loader"]');
    return new URL(script ? script.src : '/', window.location.href).origin;
  })();

  // Keep the stub object (other code may hold a reference to it) or start fresh.
  var sdk = existing && typeof existing === 'object' ? existing : {};

  var started = false;
  var initCalled = false;
  var siteToken = null;
  var sessionToken = null;
  var view = null; // last state from the sandbox: {rules, rewards, customer|null}
  var notice = null; // {kind: 'code'|'custom'|'error', ...} shown on the loyalty page
  var handlers = {};
  var fired = {};
  var queue = Promise.resolve();
  var resolveReady;

  var sandbox = {
    started: false,
    ready: new Promise(function (resolve) { resolveReady = resolve; }),
    settled: Promise.resolve(),
    state: 'waiting',
    authenticated: false,
    customer: null,
    lastError: null,
    origin: ORIGIN,
    refresh: function () { return run(refreshState); }
  };

  // ------------------------------------------------------------ public API

  sdk.isLoyaltyLion = true;
  sdk.isSandbox = true;
  sdk.version = 2;
  sdk.sandbox = sandbox;

  // Installed when the SDK starts, over the snippet's stub (see tryStart below).
  var methods = {
    init: function (options) {
      if (initCalled) {
        throw new Error('Cannot call lion.init more than once');
      }
      initCalled = true;
      if (!options || !options.token) {
        throw new Error('Token must be supplied to lion.init');
      }
      sdk._initData = options;
      siteToken = options.token;
      var done = run(function () {
        return startSession(options.customer, options.auth);
      });
      done.then(function () {
        resolveReady(sandbox);
        emit('ready', sandbox);
      });
      return done;
    },

    authenticateCustomer: function (options) {
      requireInit('authenticateCustomer');
      options = options || {};
      return run(function () { return startSession(options.customer, options.auth); });
    },

    logoutCustomer: function () {
      requireInit('logoutCustomer');
      return run(function () {
        sessionToken = null;
        notice = null;
        return startSession(null, null).then(function () { emit('customer:logout', null); });
      });
    },

    on: function (name, handler) {
      if (typeof handler !== 'function') {
        throw new Error('loyaltylion.on needs an event name and a function');
      }
      (handlers[name] = handlers[name] || []).push(handler);
      if (name === 'ready' && fired.ready) {
        handler(sandbox); // late listeners still hear about readiness
      }
    },

    removeListener: function (name, handler) {
      handlers[name] = (handlers[name] || []).filter(function (h) { return h !== handler; });
    },

    // Accepted and ignored: the stand-in has no settings to configure.
    configure: function () {}
  };

  function requireInit(method) {
    if (!initCalled) {
      throw new Error('Call loyaltylion.init before loyaltylion.' + method);
    }
  }

  // One operation at a time, in call order, whatever the network does.
  function run(operation) {
    queue = queue.then(operation, operation);
    sandbox.settled = queue;
    return queue;
  }

  function emit(name, payload) {
    fired[name] = true;
    (handlers[name] || []).forEach(function (handler) {
      try {
        handler(payload);
      } catch (err) {
        console.error('LoyaltyLion sandbox: a "' + name + '" handler threw', err);
      }
    });
  }

  // ------------------------------------------------------------- network

  function api(method, path, body) {
    var headers = {};
    if (body !== undefined) { headers['Content-Type'] = 'application/json'; }
    if (sessionToken) { headers.Authorization = 'Bearer ' + sessionToken; }
    return fetch(ORIGIN + path, {
      method: method,
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      mode: 'cors',
      credentials: 'omit'
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var message = (data && data.error && data.error.message) || ('HTTP ' + response.status);
          var error = new Error(message);
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function setPhase(phase) {
    sandbox.state = phase;
    document.documentElement.dataset.lionState = phase;
  }

  function startSession(customer, auth) {
    setPhase('loading');
    var body = { token: siteToken };
    if (customer || auth) {
      body.customer = customer || null;
      body.auth = auth || null;
    }
    return api('POST', '/sdk/session', body).then(function (data) {
      sessionToken = data.session_token || null;
      applyState(data.state);
      sandbox.authenticated = Boolean(data.authenticated);
      sandbox.lastError = null;
      if (data.auth_error) {
        // The shopper stays a guest; say why in the console.
        report(data.auth_error);
        emit('customer:auth_failed', data.auth_error);
      } else if (data.authenticated) {
        emit('customer:authenticated', sandbox.customer);
      }
      whenDomReady(render);
      setPhase(sandbox.authenticated ? 'customer' : 'guest');
    }).catch(function (err) {
      fail(err);
    });
  }

  function refreshState() {
    if (!sessionToken) { return startSession(null, null); }
    return api('GET', '/sdk/state').then(function (data) {
      applyState(data.state);
      whenDomReady(render);
    }).catch(fail);
  }

  function fail(err) {
    sessionToken = null;
    sandbox.authenticated = false;
    sandbox.customer = null;
    report(err.message);
    setPhase('error');
  }

  // lastError holds the reason; the console line says where it comes from.
  function report(message) {
    sandbox.lastError = message;
    console.error('LoyaltyLion sandbox: ' + message);
  }

  function applyState(state) {
    view = state;
    var c = state && state.customer;
    sandbox.customer = c ? {
      id: c.merchant_id,
      email: c.email,
      points: c.points,
      referralUrl: c.referral_url
    } : null;
  }

  function claim(reward, button) {
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    return run(function () {
      return api('POST', '/sdk/claim', { reward_id: reward.id }).then(function (data) {
        applyState(data.state);
        var claimed = data.claimed_reward;
        if (claimed.redeemable.redeemable_type === 'custom') {
          // No code: the shop fulfils it when LoyaltyLion's webhook reaches it.
          notice = { kind: 'custom', title: claimed.reward.title, id: claimed.id };
          followFulfilment(claimed.id, FULFILMENT_POLLS);
        } else {
          notice = { kind: 'code', title: claimed.reward.title, code: claimed.redeemable.code };
        }
        emit('reward:claimed', claimed);
      }).catch(function (err) {
        report('could not claim "' + reward.title + '": ' + err.message);
        notice = { kind: 'error', message: 'Sorry, we could not claim that reward: ' + err.message };
      }).then(function () {
        render();
        var shown = document.querySelector('#loyaltylion .lion-loyalty-page__notice');
        if (shown) { shown.focus(); }
      });
    });
  }

  // A custom reward's claim is fulfilled when the shop answers its webhook, a moment
  // later. Poll a few times and update the status text in place (no re-render, so
  // focus stays where the shopper left it); the role="status" notice announces it.
  var FULFILMENT_POLLS = 10;
  var FULFILMENT_POLL_MS = 1500;

  function claimedItem(id) {
    var items = (view && view.customer && view.customer.claimed_rewards) || [];
    for (var i = 0; i < items.length; i += 1) {
      if (items[i].id === id) { return items[i]; }
    }
    return null;
  }

  function fulfilmentText(status) {
    if (status === 'fulfilled') { return 'Claimed — fulfilled'; }
    if (status === 'failed') { return 'Claimed — fulfilment failed'; }
    return 'Claimed — fulfilment pending';
  }

  function followFulfilment(id, triesLeft) {
    window.setTimeout(function () {
      if (!sessionToken) { return; }
      run(function () {
        return api('GET', '/sdk/state').then(function (data) {
          applyState(data.state);
          var item = claimedItem(id);
          var text = fulfilmentText(item && item.fulfilment);
          document.querySelectorAll('#loyaltylion [data-lion-claimed-id="' + id + '"]').forEach(function (el) {
            if (el.textContent !== text) { el.textContent = text; }
          });
          if (item && item.fulfilment === 'pending' && triesLeft > 1) {
            followFulfilment(id, triesLeft - 1);
          }
        }).catch(function (err) {
          report('could not refresh the fulfilment of claimed reward ' + id + ': ' + err.message);
        });
      });
    }, FULFILMENT_POLL_MS);
  }

  // ------------------------------------------------------------- rendering

  function whenDomReady(fn) {
    if (document.readyState === 'loading') {
      document.addEventListener('DOMContentLoaded', fn, { once: true });
    } else {
      fn();
    }
  }

  // Tiny element builder: text is always set as text, never parsed as HTML.
  function h(tag, attrs, children) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) {
      var value = attrs[key];
      if (value === false || value === null || value === undefined) { return; }
      if (key === 'class') { el.className = value; } else if (key === 'text') { el.textContent = value; } else if (key.slice(0, 2) === 'on') { el.addEventListener(key.slice(2), value); } else { el.setAttribute(key, value === true ? '' : String(value)); }
    });
    (children || []).forEach(function (child) {
      if (child === null || child === undefined || child === false) { return; }
      el.appendChild(typeof child === 'string' ? document.createTextNode(child) : child);
    });
    return el;
  }

  var uid = 0;
  function nextId(prefix) { uid += 1; return prefix + '-' + uid; }

  function plural(n, word) { return n + ' ' + word + (Math.abs(n) === 1 ? '' : 's'); }

  function ensureStylesheet() {
    if (document.querySelector('link[data-lion-sandbox-css]')) { return; }
    document.head.appendChild(h('link', {
      rel: 'stylesheet', href: ORIGIN + '/sdk/lion.css', 'data-lion-sandbox-css': true
    }));
  }

  // All SDK UI lives in #loyaltylion so a store restyles it with '#loyaltylion ...'.
  // Use the store's own #loyaltylion if it has one; else create it inside the first
  // loyalty page hook, or at the end of <body> when there is none.
  function container(preferredHost) {
    var root = document.getElementById('loyaltylion');
    if (!root) {
      root = h('div', { id: 'loyaltylion' });
      (preferredHost || document.body).appendChild(root);
    }
    return root;
  }

  function render() {
    if (!view) { return; }
    ensureStylesheet();
    renderPoints();
    renderReferralUrls();
    renderRulesLists();
    renderLoyaltyPages();
  }

  function points() {
    return view.customer ? view.customer.points : { approved: 0, pending: 0, spent: 0, lifetime: 0 };
  }

  function renderPoints() {
    var p = points();
    document.querySelectorAll('[data-lion-points]').forEach(function (el) {
      var variant = el.getAttribute('data-lion-points');
      var value = variant && Object.prototype.hasOwnProperty.call(p, variant) ? p[variant] : p.approved + p.pending;
      el.textContent = String(value);
    });
  }

  function renderReferralUrls() {
    var url = view.customer ? view.customer.referral_url : '';
    document.querySelectorAll('[data-lion-referral-url]').forEach(function (el) {
      el.textContent = url;
    });
  }

  function rulesList() {
    return h('ul', { class: 'lion-rules-list' }, view.rules.map(function (rule) {
      // The spaces keep it readable where the stylesheet does not reach.
      return h('li', { class: 'lion-rule' }, [
        h('span', { class: 'lion-rule__title', text: rule.title }),
        ' ',
        h('span', { class: 'lion-rule__points', text: '+' + plural(rule.points, 'point') }),
        rule.description ? ' ' : null,
        rule.description ? h('span', { class: 'lion-rule__description', text: rule.description }) : null
      ]);
    }));
  }

  function renderRulesLists() {
    document.querySelectorAll('[data-lion-rules-list]').forEach(function (el) {
      el.textContent = '';
      el.appendChild(rulesList());
    });
  }

  function renderLoyaltyPages() {
    var hooks = document.querySelectorAll('[data-lion-integrated-page]');
    hooks.forEach(function (hook, index) {
      var host = hook.closest('#loyaltylion') ? hook : null;
      if (!host) {
        var root = container(index === 0 ? hook : null);
        host = hook.contains(root) ? root : hook;
      }
      var old = host.querySelector(':scope > .lion-loyalty-page');
      var page = view.customer ? customerPage() : guestPage();
      if (old) { host.replaceChild(page, old); } else { host.insertBefore(page, host.firstChild); }
    });
  }

  function section(modifier, title, children) {
    var headingId = nextId('lion-heading');
    return h('section', {
      class: 'lion-loyalty-page__section lion-loyalty-page__section--' + modifier,
      'aria-labelledby': headingId
    }, [h('h3', { id: headingId, class: 'lion-loyalty-page__heading', text: title })].concat(children));
  }

  function guestPage() {
    return h('div', { class: 'lion-loyalty-page lion-loyalty-page--guest' }, [
      h('h2', { class: 'lion-loyalty-page__title', text: 'Join our rewards program' }),
      h('p', { class: 'lion-loyalty-page__intro', text: 'Earn points every time you shop and turn them into discounts.' }),
      h('p', { class: 'lion-loyalty-page__actions' }, [
        h('a', { class: 'lion-button', href: '/signup', text: 'Join now' }),
        h('a', { class: 'lion-button lion-button--secondary', href: '/login', text: 'Log in' })
      ]),
      section('rules', 'Ways to earn', [rulesList()]),
      section('rewards', 'Rewards', [h('ul', { class: 'lion-rewards-list' }, view.rewards.map(function (reward) {
        return h('li', { class: 'lion-reward' }, [
          h('span', { class: 'lion-reward__title', text: reward.title }),
          h('span', { class: 'lion-reward__cost', text: plural(reward.point_cost, 'point') })
        ]);
      }))])
    ]);
  }

  function customerPage() {
    var c = view.customer;
    return h('div', { class: 'lion-loyalty-page lion-loyalty-page--customer' }, [
      h('h2', { class: 'lion-loyalty-page__title', text: 'Your rewards' }),
      h('p', { class: 'lion-loyalty-page__points' }, [
        h('span', { class: 'lion-loyalty-page__points-value', 'data-points': 'approved', text: String(c.points.approved) }),
        ' points to spend'
      ]),
      c.points.pending ? h('p', { class: 'lion-loyalty-page__pending' }, [
        h('span', { class: 'lion-loyalty-page__pending-value', 'data-points': 'pending', text: String(c.points.pending) }),
        ' points pending (they count once your order is paid or approved)'
      ]) : null,
      noticeBox(),
      section('rewards', 'Rewards', [rewardsList()]),
      section('rules', 'Ways to earn', [rulesList()]),
      section('claimed', 'Your claimed rewards', [claimedList(c.claimed_rewards)]),
      section('referral', 'Refer a friend', [
        h('p', { class: 'lion-referral__url' }, [h('code', { text: c.referral_url })]),
        h('button', { type: 'button', class: 'lion-button lion-referral__button', 'data-lion-refer': true, text: 'Share your referral link' })
      ]),
      section('history', 'Points history', [historyTable(c.history)])
    ]);
  }

  function noticeBox() {
    if (!notice) { return null; }
    if (notice.kind === 'error') {
      return h('div', { class: 'lion-loyalty-page__notice lion-loyalty-page__notice--error', role: 'alert', tabindex: '-1', text: notice.message });
    }
    if (notice.kind === 'custom') {
      var item = claimedItem(notice.id);
      return h('div', { class: 'lion-loyalty-page__notice lion-claimed-custom', role: 'status', tabindex: '-1' }, [
        h('p', { class: 'lion-claimed-custom__label', text: 'You claimed ' + notice.title + '.' }),
        h('p', {
          class: 'lion-claimed-custom__status',
          'data-lion-claimed-id': notice.id,
          text: fulfilmentText(item && item.fulfilment)
        }),
        h('p', { class: 'lion-claimed-custom__hint', text: 'We will add it to your next order.' })
      ]);
    }
    return h('div', { class: 'lion-loyalty-page__notice lion-claimed-code', role: 'status', tabindex: '-1' }, [
      h('p', { class: 'lion-claimed-code__label', text: 'You claimed ' + notice.title + '. Your code:' }),
      h('p', { class: 'lion-claimed-code__code', text: notice.code }),
      // LoyaltyLion's claimed-reward modal offers to copy the code; so does this one.
      copyButton(notice.code),
      h('p', { class: 'lion-claimed-code__hint', text: 'Use it at checkout. It works once.' })
    ]);
  }

  function copyButton(code) {
    if (!navigator.clipboard) { return null; }
    var button = h('button', {
      type: 'button',
      class: 'lion-button lion-button--secondary lion-claimed-code__copy',
      'aria-label': 'Copy code ' + code,
      text: 'Copy code',
      onclick: function () {
        navigator.clipboard.writeText(code).then(function () {
          button.textContent = 'Copied';
        }, function () {
          button.textContent = 'Select the code to copy it';
        });
      }
    });
    return button;
  }

  function rewardsList() {
    return h('ul', { class: 'lion-rewards-list' }, view.rewards.map(function (reward) {
      var reasonId = nextId('lion-reward-reason');
      var button = h('button', {
        type: 'button',
        class: 'lion-reward__claim-button',
        disabled: !reward.can_claim,
        'aria-describedby': reward.reason ? reasonId : null
      }, ['Claim', h('span', { class: 'lion-visually-hidden', text: ' ' + reward.title })]);
      if (reward.can_claim) {
        button.addEventListener('click', function () { claim(reward, button); });
      }
      return h('li', { class: 'lion-reward' + (reward.can_claim ? '' : ' lion-reward--unavailable') }, [
        h('span', { class: 'lion-reward__title', text: reward.title }),
        h('span', { class: 'lion-reward__cost', text: plural(reward.point_cost, 'point') }),
        button,
        reward.reason ? h('span', { id: reasonId, class: 'lion-reward__reason', text: reward.reason }) : null
      ]);
    }));
  }

  function claimedList(items) {
    if (!items.length) {
      return h('p', { class: 'lion-loyalty-page__empty', text: 'No rewards claimed yet.' });
    }
    return h('ul', { class: 'lion-claimed-rewards' }, items.map(function (item) {
      if (item.kind === 'custom') {
        return h('li', { class: 'lion-claimed-reward lion-claimed-reward--custom' }, [
          h('span', { class: 'lion-claimed-reward__title', text: item.title }),
          h('span', {
            class: 'lion-claimed-reward__status',
            'data-lion-claimed-id': item.id,
            text: fulfilmentText(item.fulfilment)
          })
        ]);
      }
      return h('li', { class: 'lion-claimed-reward' + (item.used ? ' lion-claimed-reward--used' : '') }, [
        h('code', { class: 'lion-claimed-reward__code', text: item.code }),
        h('span', { class: 'lion-claimed-reward__title', text: item.title }),
        h('span', {
          class: 'lion-claimed-reward__status',
          text: item.used ? 'Used' + (item.used_in_order ? ' on order ' + item.used_in_order : '') : 'Not used yet'
        })
      ]);
    }));
  }

  function historyTable(rows) {
    if (!rows.length) {
      return h('p', { class: 'lion-loyalty-page__empty', text: 'No points yet.' });
    }
    return h('table', { class: 'lion-history' }, [
      h('thead', {}, [h('tr', {}, [
        h('th', { scope: 'col', text: 'Date' }),
        h('th', { scope: 'col', text: 'Activity' }),
        h('th', { scope: 'col', text: 'Points' }),
        h('th', { scope: 'col', text: 'Status' })
      ])]),
      h('tbody', {}, rows.map(function (row) {
        return h('tr', { class: 'lion-history__row lion-history__row--' + row.state }, [
          h('td', { text: new Date(row.created_at).toLocaleDateString() }),
          h('td', { text: row.title }),
          h('td', { class: 'lion-history__points', text: (row.points > 0 ? '+' : '') + row.points }),
          h('td', { text: row.status })
        ]);
      }))
    ]);
  }

  // --------------------------------------------------------- referral modal

  var modal = null;
  var modalOpener = null;

  function openReferralModal(opener) {
    closeReferralModal();
    modalOpener = opener;
    var titleId = nextId('lion-refer-title');
    var c = view && view.customer;
    var body;
    if (c) {
      var inputId = nextId('lion-refer-link');
      var input = h('input', { id: inputId, class: 'lion-modal__link', type: 'text', readonly: true, value: c.referral_url });
      var copy = h('button', { type: 'button', class: 'lion-button lion-modal__copy', text: 'Copy link' });
      copy.addEventListener('click', function () {
        input.select();
        var done = function () { copy.textContent = 'Copied'; };
        if (navigator.clipboard) { navigator.clipboard.writeText(c.referral_url).then(done, done); } else { done(); }
      });
      body = [
        h('p', { class: 'lion-modal__text', text: 'Share this link. When a friend signs up and their first order is paid, you earn points.' }),
        h('label', { class: 'lion-modal__label', for: inputId, text: 'Your referral link' }),
        input,
        copy
      ];
    } else {
      body = [
        h('p', { class: 'lion-modal__text', text: 'Log in or create an account to get your referral link.' }),
        h('p', {}, [
          h('a', { class: 'lion-button', href: '/login', text: 'Log in' }), ' ',
          h('a', { class: 'lion-button lion-button--secondary', href: '/signup', text: 'Join now' })
        ])
      ];
    }
    var close = h('button', { type: 'button', class: 'lion-modal__close', 'aria-label': 'Close', text: '×' });
    close.addEventListener('click', closeReferralModal);
    var dialog = h('div', { class: 'lion-modal', role: 'dialog', 'aria-modal': 'true', 'aria-labelledby': titleId, tabindex: '-1' },
      [close, h('h2', { id: titleId, class: 'lion-modal__title', text: 'Refer a friend' })].concat(body));
    modal = h('div', { class: 'lion-modal-backdrop' }, [dialog]);
    modal.addEventListener('click', function (event) { if (event.target === modal) { closeReferralModal(); } });
    modal.addEventListener('keydown', trapKeys);
    ensureStylesheet();
    container(null).appendChild(modal);
    var first = dialog.querySelector('input, a, button:not(.lion-modal__close)');
    (first || dialog).focus();
  }

  function trapKeys(event) {
    if (event.key === 'Escape') {
      closeReferralModal();
      return;
    }
    if (event.key !== 'Tab') { return; }
    var items = modal.querySelectorAll('a[href], button, input');
    var firstItem = items[0];
    var lastItem = items[items.length - 1];
    if (event.shiftKey && document.activeElement === firstItem) {
      lastItem.focus();
      event.preventDefault();
    } else if (!event.shiftKey && document.activeElement === lastItem) {
      firstItem.focus();
      event.preventDefault();
    }
  }

  function closeReferralModal() {
    if (!modal) { return; }
    modal.remove();
    modal = null;
    if (modalOpener && modalOpener.focus) { modalOpener.focus(); }
    modalOpener = null;
  }

  // Delegated, so [data-lion-refer] elements added later work too.
  document.addEventListener('click', function (event) {
    var opener = event.target.closest && event.target.closest('[data-lion-refer]');
    if (opener) {
      event.preventDefault();
      openReferralModal(opener);
    }
  });

  // ---------------------------------------------------------------- start

  // Both scripts have to be there: this loader, and the start script for the token
  // `init` received. They arrive in either order; whichever comes second starts.
  function tryStart() {
    var init = sdk._initData;
    var site = sdk._sandboxStart;
    if (started || !init || !site) { return; }
    if (site.token !== init.token) {
      report('the start script is for site token "' + site.token + '" but init was given "' +
        init.token + '": the SDK does not start');
      setPhase('error');
      return;
    }
    started = true;
    sandbox.started = true;
    var queued = Array.isArray(sdk._buffer) ? sdk._buffer.slice() : [];
    sdk._buffer = [];
    Object.keys(methods).forEach(function (name) { sdk[name] = methods[name]; });
    window.loyaltylion = sdk;
    window.lion = sdk;
    setPhase('loading');
    try {
      sdk.init(init);
    } catch (err) {
      report(err.message);
      setPhase('error');
    }
    queued.forEach(function (call) {
      var name = call[0];
      var args = call[1] || [];
      try {
        if (typeof sdk[name] !== 'function') {
          throw new Error('loyaltylion.' + name + ' is not supported by the sandbox');
        }
        sdk[name].apply(sdk, args);
      } catch (err) {
        report('queued call ' + name + ' failed: ' + err.message);
      }
    });
  }

  setPhase('waiting');
  sdk._sandboxStarted = tryStart;
  tryStart();
  if (!started) {
    // Say so if the start script never comes (a snippet that loads only the loader).
    window.setTimeout(function () {
      if (!started && sandbox.state === 'waiting') {
        console.warn('LoyaltyLion sandbox: the loader arrived but no start script for the ' +
          'site token ran: the SDK does not start (the snippet requests ' +
          '/sdk/start/<YYYYMMDDTHH>/<token>.js inside init)');
      }
    }, 5000);
  }
})();
