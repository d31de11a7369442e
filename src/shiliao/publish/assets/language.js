/* shiliao: the interface in another of the archive's languages (publish/interface.py).
 *
 * Interface text carries data-ui="English text" (element text) or data-ui-NAME="English text"
 * (attribute NAME); interface.js holds the translations, keyed by the English text. The
 * reader's choice is remembered in localStorage and applied on every page. Only interface text
 * changes: text from sources never carries data-ui. Everything is set with textContent and
 * setAttribute, never parsed as HTML.
 */
(function () {
  'use strict';

  var data = window.shiliaoInterface;
  if (!data) return;
  var KEY = 'shiliao-language';
  var ATTRIBUTES = ['placeholder', 'aria-label', 'title', 'value', 'data-label'];

  function stored() {
    try {
      return window.localStorage.getItem(KEY);
    } catch (error) {
      return null; // storage refused (file:// in some browsers, privacy modes)
    }
  }

  function remember(language) {
    try {
      window.localStorage.setItem(KEY, language);
    } catch (error) {
      /* the choice holds for this page only */
    }
  }

  function known(language) {
    return data.languages.some(function (pair) { return pair[0] === language; });
  }

  function translate(english, language) {
    if (language === 'en') return english;
    var table = data.translations[language] || {};
    return Object.prototype.hasOwnProperty.call(table, english) ? table[english] : english;
  }

  function apply(language) {
    var nodes = document.querySelectorAll('[data-ui]');
    for (var i = 0; i < nodes.length; i++) {
      var english = nodes[i].getAttribute('data-ui');
      var text = translate(english, language);
      nodes[i].textContent = text;
      // The text's language: a missing translation stays English.
      nodes[i].setAttribute('lang', text === english ? 'en' : language);
    }
    ATTRIBUTES.forEach(function (name) {
      var withAttribute = document.querySelectorAll('[data-ui-' + name + ']');
      for (var j = 0; j < withAttribute.length; j++) {
        var source = withAttribute[j].getAttribute('data-ui-' + name);
        withAttribute[j].setAttribute(name, translate(source, language));
      }
    });
    document.documentElement.setAttribute('lang', language);
    var buttons = document.querySelectorAll('[data-language]');
    for (var k = 0; k < buttons.length; k++) {
      var on = buttons[k].getAttribute('data-language') === language;
      buttons[k].setAttribute('aria-pressed', on ? 'true' : 'false');
    }
    document.dispatchEvent(new CustomEvent('shiliao:language', { detail: { language: language } }));
  }

  function current() {
    var chosen = stored();
    return chosen && known(chosen) ? chosen : data.default;
  }

  window.shiliaoLanguage = { current: current, translate: translate };

  document.addEventListener('click', function (event) {
    var button = event.target.closest ? event.target.closest('[data-language]') : null;
    if (!button) return;
    var language = button.getAttribute('data-language');
    if (!known(language)) return;
    remember(language);
    apply(language);
  });

  var language = current();
  if (language !== data.default) {
    apply(language);
  } else {
    var buttons = document.querySelectorAll('[data-language]');
    for (var k = 0; k < buttons.length; k++) {
      var on = buttons[k].getAttribute('data-language') === language;
      buttons[k].setAttribute('aria-pressed', on ? 'true' : 'false');
    }
  }
})();
