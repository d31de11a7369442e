/* shiliao: facets, date range and order of the browse page (sources/index.html).
 *
 * Without this script the page is a plain table of every source sorted by date. The data is
 * sources/browse-data.js (window.shiliaoBrowse, written by publish/browse.py), a script rather
 * than a file to fetch, so that the page works opened from file://:
 *   facets: [[name, letter, [value, ...]], ...]: a value's key is the letter and its place;
 *   rows:   [[keys, firstYear, lastYear, titlePlace, creatorPlace], ...], in the table's order
 *           (by date), keys the space-separated keys of the row's facet values.
 * Within a facet the ticked values combine with OR, across facets with AND; a value's count is
 * the number of sources that have it and pass every other facet and the date range. The state
 * (ticked values, years, undated, order) is kept in the page's query string (?collection=...),
 * by the values themselves so that a shared link means the same after a rebuild; the values
 * are only compared, never written into the page. Nothing from the sources is set here: the
 * rows and labels are the server's, and the script writes only numbers and interface text
 * (with textContent).
 */
(function () {
  'use strict';
  var data = window.shiliaoBrowse;
  var panel = document.getElementById('browse-filters');
  var form = document.getElementById('facets');
  var table = document.getElementById('sources');
  var count = document.getElementById('shown-count');
  if (!data || !panel || !form || !table || !count) return;
  var body = table.tBodies[0];
  var sortSelect = document.getElementById('sort');
  var fromInput = document.getElementById('year-from');
  var toInput = document.getElementById('year-to');
  var undatedBox = document.getElementById('undated');
  var undatedCount = document.getElementById('undated-count');

  var facets = data.facets.map(function (facet) {
    return { name: facet[0], letter: facet[1], values: facet[2] };
  });
  var facetByLetter = {};
  facets.forEach(function (facet, index) { facetByLetter[facet.letter] = index; });

  var records = Array.prototype.map.call(body.rows, function (row) {
    var item = data.rows[Number(row.getAttribute('data-i'))];
    var keys = item[0] ? item[0].split(' ') : [];
    return {
      row: row,
      place: Number(row.getAttribute('data-i')),
      keys: keys,
      from: item[1],
      to: item[2],
      title: item[3],
      creator: item[4]
    };
  });

  var boxes = Array.prototype.filter.call(form.querySelectorAll('input[type=checkbox]'), function (box) {
    return box !== undatedBox;
  });
  var countOf = {};
  Array.prototype.forEach.call(form.querySelectorAll('[data-count]'), function (span) {
    countOf[span.getAttribute('data-count')] = span;
  });

  function year(input) {
    var value = input.value.trim();
    if (!/^-?\d{1,4}$/.test(value)) return null;
    return Number(value);
  }

  function chosen() {
    var picks = facets.map(function () { return null; });
    boxes.forEach(function (box) {
      if (!box.checked) return;
      var index = facetByLetter[box.value.charAt(0)];
      if (index === undefined) return;
      picks[index] = picks[index] || {};
      picks[index][box.value] = true;
    });
    return picks;
  }

  function inDates(record, first, last) {
    if (record.from === null) return undatedBox.checked;
    // A year span (201X: 2010-2019) is shown when it meets the range.
    if (first !== null && record.to < first) return false;
    if (last !== null && record.from > last) return false;
    return true;
  }

  function passes(record, pick) {
    if (!pick) return true;
    return record.keys.some(function (key) { return pick[key]; });
  }

  function filter() {
    var picks = chosen();
    var first = year(fromInput);
    var last = year(toInput);
    var counts = {};
    var shown = 0;
    var undated = 0;
    records.forEach(function (record) {
      var failed = [];
      picks.forEach(function (pick, index) {
        if (!passes(record, pick)) failed.push(index);
      });
      var dated = inDates(record, first, last);
      var visible = dated && failed.length === 0;
      record.row.hidden = !visible;
      if (visible) shown += 1;
      if (record.from === null && failed.length === 0) undated += 1;
      if (!dated || failed.length > 1) return;
      record.keys.forEach(function (key) {
        var index = facetByLetter[key.charAt(0)];
        // Counted for its own facet when every other facet lets the record through.
        if (failed.length === 0 || failed[0] === index) counts[key] = (counts[key] || 0) + 1;
      });
    });
    Object.keys(countOf).forEach(function (key) {
      var n = counts[key] || 0;
      countOf[key].textContent = String(n);
      countOf[key].parentNode.classList.toggle('zero', n === 0);
    });
    if (undatedCount) undatedCount.textContent = String(undated);
    count.textContent = String(shown);
  }

  function sort() {
    var how = sortSelect ? sortSelect.value : 'date-asc';
    var ordered = records.slice();
    ordered.sort(function (a, b) {
      if (how === 'title') return a.title - b.title;
      if (how === 'creator') return a.creator - b.creator;
      if (how === 'date-desc') {
        // Undated sources stay last whichever way the dates run.
        if ((a.from === null) !== (b.from === null)) return a.from === null ? 1 : -1;
        return b.place - a.place;
      }
      return a.place - b.place;
    });
    ordered.forEach(function (record) { body.appendChild(record.row); });
  }

  function valueOf(key) {
    var facet = facets[facetByLetter[key.charAt(0)]];
    return facet ? facet.values[Number(key.slice(1))] : undefined;
  }

  function keyOf(name, value) {
    for (var i = 0; i < facets.length; i++) {
      if (facets[i].name !== name) continue;
      var place = facets[i].values.indexOf(value);
      return place < 0 ? null : facets[i].letter + String(place);
    }
    return null;
  }

  function writeState() {
    var params = new URLSearchParams();
    boxes.forEach(function (box) {
      var value = box.checked ? valueOf(box.value) : undefined;
      if (value !== undefined) params.append(box.name, value);
    });
    if (year(fromInput) !== null) params.set('from', String(year(fromInput)));
    if (year(toInput) !== null) params.set('to', String(year(toInput)));
    if (!undatedBox.checked) params.set('undated', 'no');
    if (sortSelect && sortSelect.value !== 'date-asc') params.set('sort', sortSelect.value);
    var query = params.toString();
    var url = window.location.pathname + (query ? '?' + query : '') + window.location.hash;
    try {
      window.history.replaceState(window.history.state, '', url);
    } catch (error) {
      /* some browsers refuse to change a file:// URL; the view still works */
    }
  }

  function readState() {
    var params = new URLSearchParams(window.location.search);
    var byKey = {};
    boxes.forEach(function (box) { byKey[box.value] = box; });
    facets.forEach(function (facet) {
      params.getAll(facet.name).forEach(function (value) {
        var key = keyOf(facet.name, value);
        if (key && byKey[key]) byKey[key].checked = true;
      });
    });
    var first = params.get('from');
    var last = params.get('to');
    if (first !== null && /^-?\d{1,4}$/.test(first)) fromInput.value = first;
    if (last !== null && /^-?\d{1,4}$/.test(last)) toInput.value = last;
    undatedBox.checked = params.get('undated') !== 'no';
    var how = params.get('sort');
    if (sortSelect && how && sortSelect.querySelector('option[value="' + how.replace(/[^a-z-]/g, '') + '"]')) {
      sortSelect.value = how;
    }
  }

  function translateOptions(language) {
    if (!sortSelect || !window.shiliaoLanguage) return;
    Array.prototype.forEach.call(sortSelect.options, function (option) {
      var english = option.getAttribute('data-option');
      if (english) option.textContent = window.shiliaoLanguage.translate(english, language);
    });
  }

  function update() {
    filter();
    sort();
    writeState();
  }

  readState();
  panel.hidden = false;
  // Folded away on a narrow screen, open beside the table on a wide one.
  // A shared address with filters opens it on a phone too: the reader sees why rows are missing.
  if (window.matchMedia && window.matchMedia('(min-width: 50rem)').matches) panel.open = true;
  if (new URLSearchParams(window.location.search).toString()) panel.open = true;
  if (window.shiliaoLanguage) translateOptions(window.shiliaoLanguage.current());
  document.addEventListener('shiliao:language', function (event) {
    translateOptions(event.detail.language);
  });
  form.addEventListener('change', update);
  form.addEventListener('input', function (event) {
    if (event.target === fromInput || event.target === toInput) update();
  });
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  form.addEventListener('reset', function () {
    // The reset happens after this event; read the form once it is done.
    window.setTimeout(update, 0);
  });
  update();
})();
