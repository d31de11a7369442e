/* shiliao: facets and sorting for the collection page.
 *
 * Without this script the page is a plain table sorted by date. Each row carries its facet
 * values as short keys in data attributes (data-type="t0", data-collection="c0 c2"); a row is
 * shown when, for every facet with a box ticked, one of its keys is ticked.
 */
(function () {
  'use strict';
  var form = document.getElementById('facets');
  var table = document.getElementById('sources');
  var count = document.getElementById('shown-count');
  if (!form || !table || !count) return;
  var body = table.tBodies[0];
  var rows = Array.prototype.slice.call(body.rows);
  var facets = ['type', 'decade', 'language', 'collection'];
  var sortSelect = document.getElementById('sort');
  var collator = new Intl.Collator(['zh-Hans-u-co-pinyin', 'en'], { numeric: true });

  function ticked(name) {
    var boxes = form.querySelectorAll('input[name="' + name + '"]:checked');
    var keys = {};
    var any = false;
    for (var i = 0; i < boxes.length; i++) { keys[boxes[i].value] = true; any = true; }
    return any ? keys : null;
  }

  function filter() {
    var chosen = facets.map(ticked);
    var shown = 0;
    rows.forEach(function (row) {
      var visible = facets.every(function (name, i) {
        if (!chosen[i]) return true;
        return (row.dataset[name] || '').split(' ').some(function (key) { return chosen[i][key]; });
      });
      row.hidden = !visible;
      if (visible) shown += 1;
    });
    count.textContent = String(shown);
  }

  function titleOf(row) {
    var cell = row.querySelector('td.title');
    return cell ? cell.textContent.trim() : '';
  }

  function sort() {
    var how = sortSelect ? sortSelect.value : 'date-asc';
    var sign = how === 'date-desc' ? -1 : 1;
    rows.sort(function (a, b) {
      if (how === 'title') return collator.compare(titleOf(a), titleOf(b));
      var da = a.dataset.date || '';
      var db = b.dataset.date || '';
      // Undated sources go last whichever way the dates run.
      if (!da !== !db) return da ? -1 : 1;
      if (da !== db) return da < db ? -sign : sign;
      return collator.compare(titleOf(a), titleOf(b));
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  form.hidden = false;
  form.addEventListener('change', function (event) {
    if (event.target === sortSelect) sort(); else filter();
  });
  form.addEventListener('submit', function (event) { event.preventDefault(); });
  form.addEventListener('reset', function () {
    // The reset happens after this event; read the boxes once it is done.
    window.setTimeout(function () { filter(); sort(); }, 0);
  });
})();
