// The pages' passkey ceremonies, run in the browser: signing in on /login (a button, and
// the email field's autofill) and adding a passkey on /account. Loaded after
// pages-webauthn.js (@simplewebauthn/browser, which defines SimpleWebAuthnBrowser); it
// calls this origin's JSON API by relative paths, so it works under a proxy's prefix too.
// What it says comes from the page (data-texts), in the page's language.
(function () {
  'use strict';
  var webauthn = window.SimpleWebAuthnBrowser;
  var sections = document.querySelectorAll('[data-passkeys]');
  if (sections.length === 0) return;

  function part(section, name) {
    return section.querySelector('[data-passkey-' + name + ']');
  }

  function say(element, text) {
    element.textContent = text || '';
    element.hidden = !text;
  }

  async function post(path, body) {
    var response = await fetch(path, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(body),
    });
    var data = await response.json().catch(function () {
      return {};
    });
    return { status: response.status, data: data };
  }

  // The API's refusal in the page's words; a code the page does not know is the generic failure.
  function refusal(texts, answer) {
    return (answer.data && texts.errors[answer.data.code]) || texts.failure;
  }

  // What the browser's own refusal means to the person; null when a newer ceremony replaced this one.
  function browserRefusal(texts, error) {
    if (error && (error.name === 'AbortError' || error.code === 'ERROR_CEREMONY_ABORTED')) return null;
    if (error && error.code === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED') return texts.errors.passkey_exists;
    if (error && error.name === 'NotAllowedError') return texts.cancelled;
    return texts.failure;
  }

  function signIn(section, texts) {
    var button = part(section, 'sign-in');
    var message = part(section, 'error');
    var status = part(section, 'status');

    async function run(autofill) {
      if (!autofill) {
        say(message, '');
        say(status, texts.waiting);
      }
      try {
        var options = await post('sessions/passkey/options', {});
        if (options.status !== 200) return say(message, refusal(texts, options));
        var response;
        try {
          response = await webauthn.startAuthentication({ optionsJSON: options.data, useBrowserAutofill: autofill });
        } catch (error) {
          // An autofill request ends quietly when the person clicks the button instead.
          var text = browserRefusal(texts, error);
          if (text && !autofill) say(message, text);
          return;
        }
        say(status, texts.waiting);
        var answer = await post('sessions/passkey', { response: response });
        if (answer.status === 200) return location.assign(section.getAttribute('data-landing'));
        if (answer.data && answer.data.second_factor_required) return location.assign(section.getAttribute('data-code-step'));
        say(message, refusal(texts, answer));
      } catch {
        // The network or the service failed: nothing was done.
        say(message, texts.failure);
      } finally {
        say(status, '');
      }
    }

    button.addEventListener('click', function () {
      run(false);
    });
    webauthn.browserSupportsWebAuthnAutofill().then(function (autofill) {
      if (autofill) run(true);
    });
  }

  function add(section, texts) {
    var form = part(section, 'add');
    var message = part(section, 'error');
    var status = part(section, 'status');
    var stepUp = section.querySelector('[data-step-up]');
    var button = form.querySelector('button[type="submit"]');
    var password = form.elements.namedItem('password');
    var name = form.elements.namedItem('name');

    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      if (button.disabled) return;
      button.disabled = true;
      say(message, '');
      say(status, texts.waiting);
      try {
        var options = await post('profile/passkeys/options', password.value ? { password: password.value } : {});
        if (options.status !== 200) {
          var code = options.data && options.data.code;
          if (code === 'step_up_required' || code === 'wrong_password') {
            stepUp.hidden = false;
            password.focus();
          }
          return say(message, refusal(texts, options));
        }
        var response;
        try {
          response = await webauthn.startRegistration({ optionsJSON: options.data });
        } catch (error) {
          return say(message, browserRefusal(texts, error));
        }
        var named = name.value.trim();
        var saved = await post('profile/passkeys', named ? { response: response, name: named } : { response: response });
        if (saved.status === 201) return location.assign('account?done=passkey_added');
        say(message, refusal(texts, saved));
      } catch {
        // The network or the service failed: nothing was done.
        say(message, texts.failure);
      } finally {
        say(status, '');
        button.disabled = false;
      }
    });
  }

  sections.forEach(function (section) {
    var texts = JSON.parse(section.getAttribute('data-texts'));
    if (!webauthn || !webauthn.browserSupportsWebAuthn()) return say(part(section, 'unsupported'), part(section, 'unsupported').textContent);
    part(section, 'ready').hidden = false;
    if (section.getAttribute('data-passkeys') === 'sign-in') signIn(section, texts);
    else if (part(section, 'add')) add(section, texts);
  });
})();
