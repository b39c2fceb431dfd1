// The demo site's own script (not part of the snippet): reacts to Baton in the page.
// Everything shown comes from the visitor's own input or the handoff, so it is set as text.
(function () {
  function toast(title, body) {
    var box = document.createElement('div');
    box.className = 'toast';
    box.setAttribute('role', 'status');
    var h = document.createElement('strong');
    h.textContent = title;
    var p = document.createElement('p');
    p.textContent = body;
    box.append(h, p);
    document.body.appendChild(box);
    return box;
  }

  // Speed to lead: the moment the visitor qualifies, offer a meeting with the routed rep.
  baton('on', 'qualified', function (handoff) {
    var name = (handoff.traits && (handoff.traits.firstName || handoff.traits.name)) || 'there';
    var owner = (handoff.routing && (handoff.routing.owner || handoff.routing.team)) || 'our team';
    var slot = document.getElementById('calendar');
    var box = slot || toast('', '');
    if (slot) slot.hidden = false;
    var title = box.querySelector('strong') || box.appendChild(document.createElement('strong'));
    title.textContent = 'Hi ' + name + ', ' + owner + ' can walk you through Lumen today.';
    var times = box.querySelector('.calendar') || box.appendChild(document.createElement('div'));
    times.className = 'calendar';
    times.textContent = '';
    ['10:30', '13:00', '15:30'].forEach(function (t) {
      var b = document.createElement('button');
      b.type = 'button';
      b.textContent = 'Today ' + t;
      b.addEventListener('click', function () {
        times.textContent = 'Booked for today at ' + t + '. A calendar invite is on its way.';
      });
      times.appendChild(b);
    });
    document.documentElement.dataset.batonQualified = handoff.handoffId;
  });

  // The footer's privacy link: the visitor can withdraw; Baton then deletes what it stored.
  document.addEventListener('click', function (ev) {
    var a = ev.target.closest && ev.target.closest('[data-privacy]');
    if (!a) return;
    ev.preventDefault();
    var grant = a.getAttribute('data-privacy') === 'grant';
    baton('consent', grant ? 'granted' : 'denied');
    toast('Privacy choice saved', grant ? 'Thanks, analytics are on.' : 'Analytics are off and stored data was deleted.');
  });

  // A plain demo form handler: no backend for the form itself, just a thank-you.
  var form = document.getElementById('demo-form');
  if (form) {
    form.addEventListener('submit', function (ev) {
      ev.preventDefault();
      form.hidden = true;
      document.getElementById('thanks').hidden = false;
    });
  }
})();
