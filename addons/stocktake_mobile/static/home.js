// Home screen of the handheld page: one large button per flow the server
// says the signed-in user may use (GET api/me, `flows`): count, look-up and
// the kinds of document scanning (documents.js). Plain DOM.
(function () {
  'use strict';
  var S;
  var $ = function (id) { return document.getElementById(id); };

  function open(flow) {
    S.error('');
    if (flow === 'count') { S.loadTasks(); }
    else if (flow === 'lookup') { window.StocktakeLookup.open(); }
    else if (flow === 'qc') { window.StocktakeQC.open(); }
    else if (flow === 'finished') { window.StocktakeFinished.open(); }
    else { window.StocktakeDocs.openKind(flow); }
  }

  function render(flows) {
    S = window.Stocktake;
    var list = $('flows');
    list.textContent = '';
    flows.forEach(function (flow) {
      var li = document.createElement('li');
      var button = document.createElement('button');
      button.className = 'flow';
      button.setAttribute('data-flow', flow);
      button.textContent = S.t('flow_' + flow);
      button.addEventListener('click', function () { open(flow); });
      li.appendChild(button);
      list.appendChild(li);
    });
  }

  window.StocktakeHome = {render: render};
}());
