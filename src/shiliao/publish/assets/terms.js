/* shiliao: glossary terms in Chinese text show their pinyin and English on hover, focus or tap.
 *
 * Every link to a term's page (a.term, on source pages and in essays) gets a tooltip with the
 * term's pinyin and English from terms-data.js (window.shiliaoTerms: the term page's path from
 * the site's root -> [pinyin, English]). A mouse shows it on hover, a keyboard on focus; on a
 * touch screen the first tap shows it and a second tap on the same term opens the term's page.
 * Escape, a tap elsewhere or leaving the link hides it. The tooltip is one element, filled with
 * textContent only; the link's native title is moved to aria-describedby so it is read once.
 */
(function () {
  'use strict';

  var hints = window.shiliaoTerms;
  var script = document.currentScript;
  if (!hints || !script) return;
  // The site's root: this file is assets/terms.js under it.
  var root = script.src.replace(/assets\/terms\.js(?:[?#].*)?$/, '');
  var tip = null;
  var shownFor = null;
  var lastPointer = 'mouse';

  function hintOf(link) {
    var href = link.href.split('#')[0];
    if (href.indexOf(root) !== 0) return null;
    var path = href.slice(root.length);
    try {
      path = decodeURI(path);
    } catch (error) {
      /* keep it as it is */
    }
    return Object.prototype.hasOwnProperty.call(hints, path) ? hints[path] : null;
  }

  function tooltip() {
    if (tip) return tip;
    tip = document.createElement('div');
    tip.id = 'term-tip';
    tip.className = 'term-tip';
    tip.setAttribute('role', 'tooltip');
    tip.hidden = true;
    document.body.appendChild(tip);
    return tip;
  }

  function show(link) {
    var hint = hintOf(link);
    if (!hint) return;
    var box = tooltip();
    box.textContent = '';
    var pinyin = document.createElement('span');
    pinyin.lang = 'zh-Latn-pinyin';
    pinyin.className = 'term-tip-pinyin';
    pinyin.textContent = hint[0];
    var english = document.createElement('span');
    english.lang = 'en';
    english.textContent = hint[1];
    box.appendChild(pinyin);
    if (hint[0] && hint[1]) box.appendChild(document.createTextNode(' · '));
    box.appendChild(english);
    box.hidden = false;
    var place = link.getBoundingClientRect();
    var width = document.documentElement.clientWidth;
    var left = Math.max(8, Math.min(place.left, width - box.offsetWidth - 8));
    box.style.left = (left + window.scrollX) + 'px';
    box.style.top = (place.bottom + window.scrollY + 4) + 'px';
    link.setAttribute('aria-describedby', box.id);
    shownFor = link;
  }

  function hide() {
    if (!tip || tip.hidden) return;
    tip.hidden = true;
    if (shownFor) shownFor.removeAttribute('aria-describedby');
    shownFor = null;
  }

  function termLink(target) {
    var link = target && target.closest ? target.closest('a.term') : null;
    return link && hintOf(link) ? link : null;
  }

  function start() {
    var links = document.querySelectorAll('a.term');
    for (var i = 0; i < links.length; i += 1) {
      // The tooltip replaces the browser's own, which a touch screen never shows.
      if (hintOf(links[i])) links[i].removeAttribute('title');
    }
    document.addEventListener('pointerdown', function (event) {
      lastPointer = event.pointerType || 'mouse';
      if (!termLink(event.target)) hide();
    });
    document.addEventListener('mouseover', function (event) {
      var link = termLink(event.target);
      if (link && lastPointer === 'mouse') show(link);
    });
    document.addEventListener('mouseout', function (event) {
      var link = termLink(event.target);
      if (link && lastPointer === 'mouse' && !link.contains(event.relatedTarget)) hide();
    });
    document.addEventListener('focusin', function (event) {
      var link = termLink(event.target);
      // A tap focuses the link before its click, which decides for touch.
      if (link && lastPointer !== 'touch') show(link);
    });
    document.addEventListener('focusout', function (event) {
      if (termLink(event.target) && lastPointer !== 'touch') hide();
    });
    document.addEventListener('click', function (event) {
      var link = termLink(event.target);
      if (!link || lastPointer !== 'touch') return;
      if (shownFor !== link) {
        // First tap: show what the term means; a second tap opens its page.
        event.preventDefault();
        show(link);
      }
    });
    document.addEventListener('keydown', function (event) {
      if (event.key === 'Escape') hide();
    });
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', start);
  } else {
    start();
  }
})();
