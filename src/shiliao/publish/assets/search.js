/* shiliao: exact search over the site's static index (format: publish/searchindex.py).
 *
 * A query is parsed and folded exactly as shiliao.search.query.parse_query does in Python:
 * split on whitespace, "quoted phrases" kept whole, each unit folded code point by code point
 * (NFKC, lower case, then fold.json's labels or the Traditional-to-Simplified table t2s.json;
 * a character of fold.json's choices, such as 发, is kept and stands for all its labels). A
 * passage's folded text is made the same way, with the labels its phrases decide (the third
 * item of its row: shiliao.zh.fold.overrides). A passage matches when every unit occurs in its
 * folded text, one allowed label at each position. Units of one or two code points are
 * answered by their postings alone; longer ones intersect the postings of their pairs and are
 * then checked against the passages' text, so every answer is exact.
 *
 * Pinyin and English words are expanded through the glossary exactly as
 * shiliao.search.expand.expand_query does (expand.json holds the same keys): a run of Latin
 * words that names a glossary term becomes a group of alternatives (the Chinese term, or the
 * words as typed); alternatives are ORed, groups ANDed. Facets (collection, type, year,
 * language) count the matching passages and sources, and filters keep the passages whose
 * source passes, as shiliao.search.facets.SearchFilters does; the filters travel in the URL.
 *
 * The index's files are scripts (shiliaoSearchData("t/0a", data);), each added as a <script>
 * element when needed: browsers refuse fetch() to a page opened from disk (file://) but load
 * its own folder's scripts, so search works from the files as well as from a web server.
 *
 * Everything shown is built with DOM methods and textContent: no text from the index is ever
 * parsed as HTML.
 */
(function () {
  'use strict';

  var root = document.getElementById('search');
  if (!root) return;
  var form = document.getElementById('search-form');
  var input = document.getElementById('q');
  var statusLine = document.getElementById('search-status');
  var list = document.getElementById('search-results');
  var moreButton = document.getElementById('search-more');
  var facetsForm = document.getElementById('search-facets');
  // The filters fold away on a narrow screen, where they would push the results far down.
  var filtersBox = document.getElementById('search-filters');
  var dataUrl = new URL(root.dataset.index, document.baseURI);
  var siteRoot = new URL(root.dataset.root, document.baseURI);
  var PAGE_SIZE = 100;
  var ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz-_';
  var DIGIT = {};
  for (var a = 0; a < ALPHABET.length; a++) DIGIT[ALPHABET.charAt(a)] = a;
  // Python's str.isspace(), so that queries split and tokens break where the index's did.
  var SPACE = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/;
  var SPACE_RUN_START = /^[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;
  var SPACE_RUN_END = /[\t\n\v\f\r\x1c-\x20\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+$/;

  var meta = null;
  var t2s = null;
  var labels = null;
  var choices = null;
  var expansionTable = { pinyin: new Map(), english: new Map() };
  var filters = readFilters(new URLSearchParams(location.search));
  // The longest run of Latin words looked up as one key (search.expand._MAX_RUN_WORDS).
  var MAX_RUN_WORDS = 8;
  var LATIN_UNIT = /^[a-z0-9\u00c0-\u024f\u0300-\u036f'\u2019\- ]+$/;
  var HAS_LETTER = /[a-z\u00c0-\u024f]/;
  var FACETS = [['collection', 'Collection'], ['type', 'Type'], ['language', 'Language']];
  var sourceFirst = [];
  var shards = new Map();
  var postingsCache = new Map();
  var chunks = new Map();
  var normCache = new Map();
  var normalizedPassages = new Map();
  var current = null;
  // What the status line says, as a function of the interface's language.
  var said = null;
  // The language the reader switched to on this page (storage may refuse to remember it).
  var chosenLanguage = null;

  // name -> the resolve and reject of the load waiting for that file's data.
  var waiting = new Map();
  window.shiliaoSearchData = function (name, value) {
    var load = waiting.get(name);
    if (!load) return;
    waiting.delete(name);
    load.resolve(value);
  };

  /* The data of the index file <name>.js (searchindex.py): the script runs, and so hands its
   * data over, before its load event. Each caller caches the promise, so a file loads once. */
  function load(name) {
    return new Promise(function (resolve, reject) {
      waiting.set(name, { resolve: resolve, reject: reject });
      var script = document.createElement('script');
      function settle(problem) {
        script.remove();
        var pending = waiting.get(name);
        if (!pending) return;
        waiting.delete(name);
        pending.reject(new Error(name + '.js ' + problem));
      }
      script.onload = function () { settle('holds no search data'); };
      script.onerror = function () { settle('could not be read'); };
      script.src = new URL(name + '.js', dataUrl).href;
      document.head.appendChild(script);
    });
  }

  var ready = Promise.all([
    load('meta'), load('t2s'), load('expand'), load('fold'),
  ]).then(function (loaded) {
    meta = loaded[0];
    t2s = new Map(Object.entries(loaded[1]));
    labels = new Map(Object.entries(loaded[3].labels));
    choices = new Map(Object.entries(loaded[3].choices));
    expansionTable = {
      pinyin: new Map(Object.entries(loaded[2].pinyin || {})),
      english: new Map(Object.entries(loaded[2].english || {})),
    };
    sourceFirst = meta.sources.map(function (row) { return row[6]; });
  });

  // Folding (shiliao.zh.fold) --------------------------------------------------------------------

  /* The code points one code point folds to alone: shiliao.zh.fold.fold without its phrases,
   * or, for a query (shiliao.zh.fold.fold_query), with the characters of choices kept. */
  function foldChar(ch, query) {
    var key = (query ? 'q' : 't') + ch;
    var known = normCache.get(key);
    if (known !== undefined) return known;
    var out = [];
    for (var c of ch.normalize('NFKC').toLowerCase()) {
      var label = query && choices.has(c) ? c : labels.get(c);
      if (label === undefined) label = t2s.get(c);
      out.push(label === undefined ? c : label);
    }
    normCache.set(key, out);
    return out;
  }

  function foldQuery(text) {
    var out = '';
    for (var ch of text) out += foldChar(ch, true).join('');
    return out;
  }

  /* A passage's folded text with, for each of its UTF-16 units, the span [start, end) in UTF-16
   * units of the original code point it came from; overrides (position in code points -> label)
   * are the labels its phrases decide. */
  function foldMapped(text, overrides) {
    var norm = '';
    var starts = [];
    var ends = [];
    var at = 0;
    var position = 0;
    for (var ch of text) {
      foldChar(ch, false).forEach(function (c) {
        var label = overrides && overrides[position];
        if (label !== undefined) c = label;
        for (var k = 0; k < c.length; k++) { starts.push(at); ends.push(at + ch.length); }
        norm += c;
        position += 1;
      });
      at += ch.length;
    }
    return { norm: norm, starts: starts, ends: ends };
  }

  /* The labels each position of a folded query unit allows (shiliao.zh.fold.unit_choices). */
  function unitChoices(unit) {
    return Array.from(unit, function (c) { return choices.get(c) || c; });
  }

  /* shiliao.zh.fold.unit_pattern: the unit as a regular expression over folded text. */
  function unitPattern(unit) {
    // The syntax characters a u-flag pattern lets be escaped, outside a class and inside one.
    var escape = function (c) { return c.replace(/[\\^$.*+?()[\]{}|\/]/g, '\\$&'); };
    var escapeInClass = function (c) { return c.replace(/[\\^\]\[-]/g, '\\$&'); };
    return new RegExp(unitChoices(unit).map(function (options) {
      var chars = Array.from(options);
      return chars.length === 1 ? escape(options) : '[' + chars.map(escapeInClass).join('') + ']';
    }).join(''), 'gu');
  }

  function pyStrip(text) {
    return text.replace(SPACE_RUN_START, '').replace(SPACE_RUN_END, '');
  }

  // Queries (shiliao.search.query.parse_query) ---------------------------------------------------

  /* shiliao.search.query._refuse_operator: what other engines read as an operator (OR, -word)
   * is refused with a message, never searched as a word. */
  var OPERATORS = ['OR', 'AND', 'NOT', '|', '||', '&', '&&'];
  function refuseOperator(raw, unit) {
    var word = pyStrip(raw);
    if (OPERATORS.indexOf(word) >= 0) {
      throw refusal('"{word}" is not an operator here: every word is required. Search once per ' +
        'alternative, or put it in quotes to search for the word itself.', { word: word });
    }
    var chars = Array.from(unit);
    if (chars.length > 1 && (chars[0] === '-' || chars[0] === '+') && /\p{L}/u.test(chars[1])) {
      throw refusal(chars[0] === '-'
        ? '"{word}": leaving words out is not supported; search without it, or put it in ' +
          'quotes to search for the text itself.'
        : '"{word}": every word is already required; drop the +, or put it in quotes to ' +
          'search for the text itself.', { word: word });
    }
  }

  /* shiliao.search.query.split_query: the folded units in order, repeats kept. */
  function splitQuery(q) {
    var units = [];
    var chars = '';
    var quoted = false;
    function flush() {
      var raw = quoted ? pyStrip(chars) : chars;
      chars = '';
      var unit = foldQuery(raw);
      if (!quoted) refuseOperator(raw, unit);
      if (pyStrip(unit)) units.push(unit);
    }
    for (var ch of q) {
      if (ch === '"' || ch === '\uff02') {
        flush();
        quoted = !quoted;
      } else if (!quoted && SPACE.test(ch)) {
        flush();
      } else {
        chars += ch;
      }
    }
    if (quoted) throw new Error('The quote is not closed: add the closing " or remove the opening one.');
    flush();
    return units;
  }

  // Expansion (shiliao.search.expand, shiliao.zh.pinyin) -------------------------------------------

  function fold(text) {
    return text.normalize('NFKD').replace(/\p{Mn}/gu, '').toLowerCase();
  }

  function pinyinKey(text) { return fold(text).replace(/[^a-z]/g, '').replace(/v/g, 'u'); }

  function englishKey(text) { return fold(text).replace(/[^a-z0-9]/g, ''); }

  function isLatin(unit) { return LATIN_UNIT.test(unit) && HAS_LETTER.test(unit); }

  function unique(values) {
    var out = [];
    values.forEach(function (v) { if (out.indexOf(v) < 0) out.push(v); });
    return out;
  }

  function lookup(words) {
    var pk = pinyinKey(words);
    var ek = englishKey(words);
    var fromPinyin = (pk && expansionTable.pinyin.get(pk)) || [];
    var fromEnglish = (ek && expansionTable.english.get(ek)) || [];
    if (!fromPinyin.length && !fromEnglish.length) return null;
    var via = [];
    if (fromPinyin.length) via.push('pinyin');
    if (fromEnglish.length) via.push('english');
    return { terms: unique(fromPinyin.concat(fromEnglish)), via: via.join('+') };
  }

  /* shiliao.search.expand.expand_query on the split query: groups of alternative units. */
  function parseQuery(q) {
    var units = splitQuery(q);
    if (!units.length) throw refusal('Type at least one word to search for.', {});
    var groups = [];
    var seen = new Set();
    var expansions = [];
    function addGroup(group) {
      var key = group.join('\u0000');
      if (!seen.has(key)) { seen.add(key); groups.push(group); }
    }
    var start = 0;
    while (start < units.length) {
      var found = null;
      if (isLatin(units[start])) {
        var end = start + 1;
        while (end < units.length && end - start < MAX_RUN_WORDS && isLatin(units[end])) end++;
        for (var stop = end; stop > start && !found; stop--) {
          var words = units.slice(start, stop).join(' ');
          var match = lookup(words);
          if (match) found = { stop: stop, words: words, match: match };
        }
      }
      if (!found) {
        addGroup([units[start]]);
        start += 1;
        continue;
      }
      expansions.push({ words: found.words, terms: found.match.terms, via: found.match.via });
      addGroup(unique(found.match.terms.map(foldQuery).concat([found.words])));
      start = found.stop;
    }
    var flat = unique([].concat.apply([], groups));
    return { groups: groups, units: flat, expansions: expansions };
  }

  /* The tokens to look up for a unit: a list of alternatives (tokens whose postings are
   * united) per position, the positions' results intersected. */
  function plan(unit) {
    var options = unitChoices(unit).map(function (o) { return Array.from(o); });
    var spaced = options.some(function (o) { return SPACE.test(o[0]); });
    var pairsAt = function (i) {
      var out = [];
      options[i].forEach(function (a) { options[i + 1].forEach(function (b) { out.push(a + b); }); });
      return out;
    };
    if (options.length === 1) return { unit: unit, tokens: [options[0]], exact: true };
    if (options.length === 2 && !spaced) return { unit: unit, tokens: [pairsAt(0)], exact: true };
    var tokens = [];
    for (var i = 0; i + 1 < options.length; i++) {
      if (!SPACE.test(options[i][0]) && !SPACE.test(options[i + 1][0])) tokens.push(pairsAt(i));
    }
    if (!tokens.length) tokens = options.filter(function (o) { return !SPACE.test(o[0]); });
    return { unit: unit, tokens: tokens, pattern: unitPattern(unit), exact: false };
  }

  /* The passages that have one of the alternative tokens of a position. */
  function postingsOfAny(alternatives) {
    return Promise.all(Array.from(new Set(alternatives), postings)).then(union);
  }

  /* Whether a folded text has a unit (its plan's pattern). */
  function has(folded, p) {
    p.pattern.lastIndex = 0;
    return p.pattern.test(folded);
  }

  // The index ------------------------------------------------------------------------------------

  function shardOf(token) {
    var h = 0x811c9dc5;
    for (var ch of token) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193) >>> 0;
    return h % meta.shards;
  }

  function loadShard(number) {
    var known = shards.get(number);
    if (known) return known;
    var name = 't/' + (number < 16 ? '0' : '') + number.toString(16);
    var promise = load(name).then(function (text) {
      // "<token> <postings> <token> <postings> ...": no token holds whitespace.
      var lines = new Map();
      var parts = text ? text.split(' ') : [];
      for (var i = 0; i + 1 < parts.length; i += 2) lines.set(parts[i], parts[i + 1]);
      return lines;
    });
    shards.set(number, promise);
    return promise;
  }

  function decode(code) {
    var out = [];
    var previous = -1;
    var value = 0;
    var scale = 1;
    for (var i = 0; i < code.length; i++) {
      var d = DIGIT[code.charAt(i)];
      if (d >= 32) {
        value += (d - 32) * scale;
        scale *= 32;
      } else {
        value += d * scale;
        previous += value + 1;
        out.push(previous);
        value = 0;
        scale = 1;
      }
    }
    return out;
  }

  function postings(token) {
    var known = postingsCache.get(token);
    if (known) return Promise.resolve(known);
    return loadShard(shardOf(token)).then(function (lines) {
      var code = lines.get(token);
      var numbers = code === undefined ? [] : decode(code);
      postingsCache.set(token, numbers);
      return numbers;
    });
  }

  function intersect(lists) {
    if (!lists.length) return [];
    lists = lists.slice().sort(function (x, y) { return x.length - y.length; });
    var result = lists[0];
    for (var i = 1; i < lists.length && result.length; i++) {
      var other = lists[i];
      var next = [];
      var j = 0;
      for (var k = 0; k < result.length; k++) {
        while (j < other.length && other[j] < result[k]) j++;
        if (j < other.length && other[j] === result[k]) next.push(result[k]);
      }
      result = next;
    }
    return result;
  }

  /* Index of the last element of a sorted array that is <= value. */
  function floorIndex(sorted, value) {
    var lo = 0;
    var hi = sorted.length - 1;
    while (lo < hi) {
      var mid = (lo + hi + 1) >> 1;
      if (sorted[mid] <= value) lo = mid; else hi = mid - 1;
    }
    return lo;
  }

  function loadChunk(number) {
    var known = chunks.get(number);
    if (known) return known;
    var promise = load('x/' + number);
    chunks.set(number, promise);
    return promise;
  }

  /* [paragraph, text] of each passage number, fetching only the chunks that hold them. */
  function passages(numbers) {
    var needed = new Set(numbers.map(function (n) { return floorIndex(meta.chunks, n); }));
    return Promise.all(Array.from(needed, loadChunk)).then(function () {
      return Promise.all(numbers.map(function (n) {
        var c = floorIndex(meta.chunks, n);
        return chunks.get(c).then(function (rows) { return rows[n - meta.chunks[c]]; });
      }));
    });
  }

  function foldedText(number, row) {
    var known = normalizedPassages.get(number);
    if (known === undefined) {
      known = foldMapped(row[1], row[2]).norm;
      normalizedPassages.set(number, known);
    }
    return known;
  }

  /* The passages that contain one unit, exactly (checked against their text when the
   * postings alone cannot say). */
  function matchUnit(unit) {
    var p = plan(unit);
    return Promise.all(p.tokens.map(postingsOfAny)).then(intersect).then(function (candidates) {
      if (p.exact || !candidates.length) return candidates;
      return passages(candidates).then(function (rows) {
        return candidates.filter(function (number, i) {
          return has(foldedText(number, rows[i]), p);
        });
      });
    });
  }

  function union(lists) {
    var all = new Set();
    lists.forEach(function (list) { list.forEach(function (n) { all.add(n); }); });
    return Array.from(all).sort(function (x, y) { return x - y; });
  }

  /* Groups of one unit are intersected on their postings first and checked at the end (the
   * usual case, and the cheap one); a group of alternatives is matched exactly, unit by unit. */
  function run(groups) {
    var single = groups.filter(function (g) { return g.length === 1; }).map(function (g) { return plan(g[0]); });
    var multiple = groups.filter(function (g) { return g.length > 1; });
    return Promise.all(single.map(function (p) {
      return Promise.all(p.tokens.map(postingsOfAny)).then(intersect);
    }).concat(multiple.map(function (g) {
      return Promise.all(g.map(matchUnit)).then(union);
    }))).then(function (perGroup) {
      var candidates = intersect(perGroup);
      var toCheck = single.filter(function (p) { return !p.exact; });
      if (!toCheck.length || !candidates.length) return candidates;
      return passages(candidates).then(function (rows) {
        return candidates.filter(function (number, i) {
          var folded = foldedText(number, rows[i]);
          return toCheck.every(function (p) { return has(folded, p); });
        });
      });
    });
  }

  // Facets and filters (shiliao.search.facets) ----------------------------------------------------

  function yearOf(date) {
    var match = /^-?(\d{4})/.exec(date || '');
    return match ? parseInt(match[1], 10) : null;
  }

  function facetsOf(sourceNumber) {
    var row = meta.sources[sourceNumber];
    var collections = row[8] || [];
    return {
      year: yearOf(row[4]),
      collection: collections.length ? collections : [null],
      type: [row[7] || null],
      language: [row[3] || null],
    };
  }

  /* search.facets.parse_year_range: 2016, 2014..2020, 2014.., ..2000; null when malformed. */
  function parseYears(text) {
    var match = /^\s*(-?\d{1,4})?\s*(?:(\.\.)\s*(-?\d{1,4})?)?\s*$/.exec(text || '');
    if (!match || !(match[1] || match[3])) return null;
    var first = match[1] ? parseInt(match[1], 10) : null;
    if (match[2] === undefined) return [first, first];
    var last = match[3] ? parseInt(match[3], 10) : null;
    if (first !== null && last !== null && first > last) return null;
    return [first, last];
  }

  function readFilters(params) {
    var years = parseYears(params.get('year'));
    return {
      yearFrom: years ? years[0] : null,
      yearTo: years ? years[1] : null,
      collection: new Set(params.getAll('collection')),
      type: new Set(params.getAll('type')),
      language: new Set(params.getAll('language')),
    };
  }

  /* search.facets.SearchFilters.allows */
  function allows(sourceNumber) {
    var f = facetsOf(sourceNumber);
    if (filters.yearFrom !== null || filters.yearTo !== null) {
      if (f.year === null) return false;
      if (filters.yearFrom !== null && f.year < filters.yearFrom) return false;
      if (filters.yearTo !== null && f.year > filters.yearTo) return false;
    }
    for (var i = 0; i < FACETS.length; i++) {
      var chosen = filters[FACETS[i][0]];
      if (chosen.size && !f[FACETS[i][0]].some(function (v) { return chosen.has(v); })) return false;
    }
    return true;
  }

  function writeFilters(params) {
    ['year', 'collection', 'type', 'language'].forEach(function (name) { params.delete(name); });
    if (filters.yearFrom !== null || filters.yearTo !== null) {
      params.set('year', (filters.yearFrom === null ? '' : filters.yearFrom) + '..' +
        (filters.yearTo === null ? '' : filters.yearTo));
    }
    FACETS.forEach(function (facet) {
      filters[facet[0]].forEach(function (value) { params.append(facet[0], value); });
    });
  }

  /* search.facets.count_facets over the groups shown: value -> [passages, sources]. */
  function countFacets(groups) {
    var counts = { collection: new Map(), type: new Map(), year: new Map(), language: new Map() };
    groups.forEach(function (g) {
      var f = facetsOf(g.source);
      var values = { collection: f.collection, type: f.type, year: [f.year], language: f.language };
      Object.keys(values).forEach(function (name) {
        values[name].forEach(function (value) {
          var known = counts[name].get(value) || [0, 0];
          counts[name].set(value, [known[0] + g.passages.length, known[1] + 1]);
        });
      });
    });
    return counts;
  }

  function renderFacets(state) {
    if (!facetsForm) return;
    facetsForm.textContent = '';
    var counts = countFacets(state.groups);
    var all = countFacets(state.allGroups);
    FACETS.forEach(function (facet) {
      var name = facet[0];
      var box = element('fieldset');
      box.appendChild(uiElement('legend', null, facet[1]));
      Array.from(all[name].keys()).sort(function (x, y) {
        return (all[name].get(y)[0] - all[name].get(x)[0]) || String(x).localeCompare(String(y));
      }).forEach(function (value) {
        var label = element('label');
        var box2 = element('input');
        box2.type = 'checkbox';
        box2.name = name;
        box2.value = value === null ? '' : value;
        box2.disabled = value === null;
        box2.checked = filters[name].has(value);
        label.appendChild(box2);
        var shown = counts[name].get(value) || [0, 0];
        label.appendChild(document.createTextNode(' '));
        label.appendChild(value === null ? uiElement('span', null, 'none') : facetValue(value));
        label.appendChild(document.createTextNode(' '));
        label.appendChild(element('span', 'n', shown[0] + ' / ' + shown[1]));
        box.appendChild(label);
      });
      facetsForm.appendChild(box);
    });
    var years = element('fieldset', 'year-range');
    years.appendChild(uiElement('legend', null, 'Years'));
    [['year-from', 'From', filters.yearFrom], ['year-to', 'to', filters.yearTo]].forEach(function (spec) {
      var label = element('label');
      label.appendChild(uiElement('span', null, spec[1]));
      label.appendChild(document.createTextNode(' '));
      var input = element('input');
      input.type = 'number';
      input.name = spec[0];
      input.step = '1';
      if (spec[2] !== null) input.value = String(spec[2]);
      label.appendChild(input);
      years.appendChild(label);
    });
    var byYear = Array.from(counts.year.keys()).filter(function (y) { return y !== null; }).sort();
    if (byYear.length) {
      years.appendChild(element('p', 'n', byYear[0] + '–' + byYear[byYear.length - 1] + ': ' +
        byYear.map(function (y) { return y + ' (' + counts.year.get(y)[0] + ')'; }).join(', ')));
    }
    facetsForm.appendChild(years);
    facetsForm.appendChild(uiElement('p', 'n', 'Counts: passages / sources.'));
    if (filtersBox && filtersBox.hidden) {
      filtersBox.open = window.matchMedia('(min-width: 40rem)').matches;
      filtersBox.hidden = false;
    }
  }

  /* A facet's value (a collection's name may be Chinese), with its lang. */
  function facetValue(value) {
    var node = element('span', null, String(value));
    var lang = textLang(String(value), null);
    if (lang) node.lang = lang;
    return node;
  }

  function readFacetsForm() {
    FACETS.forEach(function (facet) {
      var chosen = new Set();
      facetsForm.querySelectorAll('input[name=' + facet[0] + ']:checked').forEach(function (box) {
        chosen.add(box.value);
      });
      filters[facet[0]] = chosen;
    });
    var from = facetsForm.querySelector('input[name=year-from]').value;
    var to = facetsForm.querySelector('input[name=year-to]').value;
    filters.yearFrom = from === '' ? null : parseInt(from, 10);
    filters.yearTo = to === '' ? null : parseInt(to, 10);
  }

  // Results ---------------------------------------------------------------------------------------

  function isHan(code) {
    return (code >= 0x3400 && code <= 0x4dbf) || (code >= 0x4e00 && code <= 0x9fff) ||
      (code >= 0xf900 && code <= 0xfaff) || (code >= 0x20000 && code <= 0x3134f);
  }

  /* shiliao.zh.script.chinese_script; the source's language when the text has no Han. (The
   * pages also let a Traditional source's language decide for text in characters that both
   * scripts share; a snippet is long enough not to need that.) */
  function textLang(text, fallback) {
    var han = 0;
    var traditional = 0;
    for (var ch of text) {
      if (isHan(ch.codePointAt(0))) {
        han += 1;
        if (t2s.has(ch)) traditional += 1;
      }
    }
    if (!han) return fallback;
    return traditional / han >= 0.05 ? 'zh-Hant' : 'zh-Hans';
  }

  function codePointsBefore(text, end, count) {
    var cps = Array.from(text.slice(0, end));
    return { text: cps.slice(Math.max(0, cps.length - count)).join(''), cut: cps.length > count };
  }

  function codePointsAfter(text, start, count) {
    var cps = Array.from(text.slice(start));
    return { text: cps.slice(0, count).join(''), cut: cps.length > count };
  }

  /* The first match of any unit (overlapping matches merged) with its context, as
   * shiliao.search.kwic.snippet gives it. */
  function snippet(row, units, width) {
    var text = row[1];
    var mapped = foldMapped(text, row[2]);
    var spans = [];
    units.forEach(function (unit) {
      var pattern = unitPattern(unit);
      var match = pattern.exec(mapped.norm);
      while (match) {
        var at = match.index;
        spans.push([mapped.starts[at], mapped.ends[at + match[0].length - 1]]);
        pattern.lastIndex = at + 1;
        match = pattern.exec(mapped.norm);
      }
    });
    if (!spans.length) return null;
    spans.sort(function (x, y) { return x[0] - y[0] || x[1] - y[1]; });
    var start = spans[0][0];
    var end = spans[0][1];
    for (var i = 1; i < spans.length && spans[i][0] < end; i++) end = Math.max(end, spans[i][1]);
    var left = codePointsBefore(text, start, width);
    var right = codePointsAfter(text, end, width);
    return {
      left: (left.cut ? '…' : '') + left.text,
      match: text.slice(start, end),
      right: right.text + (right.cut ? '…' : ''),
    };
  }

  // Interface text (publish/interface.py): English here, translated by language.js's tables.

  function interfaceLanguage() {
    var language = window.shiliaoLanguage;
    return chosenLanguage || (language ? language.current() : 'en');
  }

  function t(english) {
    var language = window.shiliaoLanguage;
    return language ? language.translate(english, interfaceLanguage()) : english;
  }

  /* An interface sentence: the translation of its English template, {name}s filled in. */
  function phrase(template, values) {
    return t(template).replace(/\{(\w+)\}/g, function (all, name) { return String(values[name]); });
  }

  /* An error whose message is an interface sentence. */
  function refusal(template, values) {
    var error = new Error(template.replace(/\{(\w+)\}/g, function (all, name) { return values[name]; }));
    error.render = function () { return phrase(template, values); };
    return error;
  }

  /* An element of fixed interface text, marked so that language.js translates it. */
  function uiElement(tag, className, english) {
    var node = element(tag, className, t(english));
    node.setAttribute('data-ui', english);
    return node;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* A result: the source's title (linking to its page), date and number of matching passages.
   * The snippet and the link's #p anchor come with the passage's text (fillSnippet). */
  function renderGroup(group) {
    var source = meta.sources[group.source];
    var item = element('li', 'hit');
    item.dataset.source = source[0];
    item.dataset.passages = String(group.passages.length);
    item.dataset.number = String(group.source);
    var heading = element('h3');
    var link = element('a', null, source[1]);
    link.href = new URL(source[5], siteRoot).href;
    if (source[2]) link.lang = source[2];
    heading.appendChild(link);
    item.appendChild(heading);
    item.appendChild(element('p', 'meta', resultLine(item)));
    return item;
  }

  /* The date and number of matching passages under a result's title, in the interface's
   * language (written again when the reader switches it). */
  function resultLine(item) {
    var source = meta.sources[parseInt(item.dataset.number, 10)];
    var count = parseInt(item.dataset.passages, 10);
    return (source[4] || t('undated')) + ' · ' +
      phrase(count === 1 ? '{count} matching passage' : '{count} matching passages', { count: count });
  }

  function fillSnippet(item, group, row, units) {
    var source = meta.sources[group.source];
    item.querySelector('h3 a').href = new URL(source[5] + '#p' + row[0], siteRoot).href;
    var kwic = snippet(row, units, meta.width);
    if (!kwic) return;
    var line = element('p', 'kwic');
    // A row that is a translated paragraph or a curator's note says so, in its own language.
    var note = row[3];
    var lang = (note && note.lang) || textLang(row[1], source[3]);
    if (note) {
      item.appendChild(uiElement('p', 'badge', note.kind === 'translation' ? 'Translation' : "Curator's note"));
    }
    if (lang) line.lang = lang;
    line.appendChild(document.createTextNode(kwic.left));
    line.appendChild(element('mark', null, kwic.match));
    line.appendChild(document.createTextNode(kwic.right));
    item.appendChild(line);
  }

  /* Show the next page of results at once, then their snippets as their text arrives; the
   * promise settles when the snippets are in. */
  function showMore() {
    var state = current;
    if (!state) return Promise.resolve();
    var batch = state.groups.slice(state.shown, state.shown + PAGE_SIZE);
    state.shown += batch.length;
    var fragment = document.createDocumentFragment();
    var items = batch.map(function (group) {
      var item = renderGroup(group);
      fragment.appendChild(item);
      return item;
    });
    list.appendChild(fragment);
    moreButton.hidden = state.shown >= state.groups.length;
    return passages(batch.map(function (g) { return g.passages[0]; })).then(function (rows) {
      if (state !== current) return;
      batch.forEach(function (group, i) { fillSnippet(items[i], group, rows[i], state.units); });
    });
  }

  function group(matches) {
    var bySource = new Map();
    matches.forEach(function (number) {
      var s = floorIndex(sourceFirst, number);
      var known = bySource.get(s);
      if (!known) { known = { source: s, passages: [] }; bySource.set(s, known); }
      known.passages.push(number);
    });
    return Array.from(bySource.values()).sort(function (x, y) {
      return y.passages.length - x.passages.length || x.source - y.source;
    });
  }

  /* Set the status line to what render() writes, now and whenever the language changes. */
  function say(render, state) {
    said = render;
    statusLine.textContent = render();
    statusLine.lang = interfaceLanguage();
    root.dataset.state = state;
  }

  /* Show the matches that pass the filters: facets, status line, first page of results. */
  function show(state, started) {
    list.textContent = '';
    state.shown = 0;
    state.groups = state.allGroups.filter(function (g) { return allows(g.source); });
    var passageCount = state.groups.reduce(function (n, g) { return n + g.passages.length; }, 0);
    renderFacets(state);
    var snippets = showMore();
    var elapsed = performance.now() - started;
    root.dataset.queryMs = elapsed.toFixed(1);
    root.dataset.passages = String(passageCount);
    root.dataset.sources = String(state.groups.length);
    root.dataset.expandedTo = JSON.stringify(unique([].concat.apply([], state.expansions.map(function (e) { return e.terms; }))));
    var sourceCount = state.groups.length;
    var allCount = state.allGroups.length;
    say(function () {
      var text = phrase('{passages} in {sources} ({ms} ms)', {
        passages: phrase(passageCount === 1 ? '{count} passage' : '{count} passages', { count: passageCount }),
        sources: phrase(sourceCount === 1 ? '{count} source' : '{count} sources', { count: sourceCount }),
        ms: Math.round(elapsed),
      });
      if (sourceCount !== allCount) {
        text += '; ' + phrase('filters leave out {left} of {all} sources', {
          left: allCount - sourceCount, all: allCount,
        });
      }
      state.expansions.forEach(function (e) {
        text += '; ' + phrase('{words} → {terms} (glossary {via})', {
          words: e.words, terms: e.terms.join(', '), via: e.via,
        });
      });
      return text;
    }, 'snippets');
    return snippets.then(function () {
      if (state !== current) return;
      root.dataset.completeMs = (performance.now() - started).toFixed(1);
      root.dataset.state = 'done';
    });
  }

  function search(q) {
    var started = performance.now();
    list.textContent = '';
    moreButton.hidden = true;
    current = null;
    var parsed;
    try {
      parsed = parseQuery(q);
    } catch (error) {
      say(error.render || function () { return error.message; }, 'error');
      return Promise.resolve();
    }
    say(function () { return t('Searching…'); }, 'busy');
    var state = {
      units: parsed.units, expansions: parsed.expansions, allGroups: [], groups: [], shown: 0,
    };
    current = state;
    return run(parsed.groups).then(function (matches) {
      if (state !== current) return;
      state.allGroups = group(matches);
      return show(state, started);
    });
  }

  function fail(error) {
    var served = location.protocol === 'http:' || location.protocol === 'https:';
    say(function () {
      var text = phrase('The search index could not be read ({problem}).', { problem: error.message });
      // A browser that refuses a page opened from disk its own scripts needs the folder served.
      return served ? text : text + ' ' + t('Serve the site\'s folder over http to search it, ' +
        'for example with "python -m http.server" in the folder.');
    }, 'error');
  }

  function submit(q) {
    return ready.then(function () { return search(q); }).catch(fail);
  }

  function remember(q) {
    var params = new URLSearchParams();
    params.set('q', q);
    writeFilters(params);
    try {
      history.replaceState(null, '', '?' + params.toString());
    } catch (error) {
      // Some browsers refuse to change the URL of a file:// page; the search still runs.
    }
  }

  form.addEventListener('submit', function (event) {
    event.preventDefault();
    var q = input.value;
    remember(q);
    submit(q);
  });
  if (facetsForm) {
    // A filter changes which matches are shown, never the matching: no index is read again.
    facetsForm.addEventListener('change', function () {
      if (!current) return;
      readFacetsForm();
      remember(input.value);
      root.dataset.state = 'filtering';
      show(current, performance.now()).catch(fail);
    });
  }
  moreButton.addEventListener('click', function () { showMore().catch(fail); });
  document.addEventListener('shiliao:language', function (event) {
    chosenLanguage = event.detail.language;
    if (said) say(said, root.dataset.state);
    list.querySelectorAll('li.hit').forEach(function (item) {
      item.querySelector('p.meta').textContent = resultLine(item);
    });
  });

  var initial = new URLSearchParams(location.search).get('q');
  if (initial) {
    input.value = initial;
    submit(initial);
  } else {
    ready.then(function () { root.dataset.state = 'ready'; }).catch(fail);
  }
})();
