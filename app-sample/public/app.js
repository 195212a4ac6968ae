// The page's behaviour: the session panel (GET /api/whoami) and the chat (Socket.IO).
// Plain browser JavaScript, no build step; `io` comes from /socket.io/socket.io.js.
(function () {
  'use strict';
  var $ = function (id) { return document.getElementById(id); };

  // ---- session panel
  function whoami() {
    return fetch('/api/whoami', { credentials: 'same-origin', cache: 'no-store' })
      .then(function (res) {
        if (!res.ok) throw new Error('HTTP ' + res.status);
        return res.json();
      })
      .then(function (me) {
        $('instance').textContent = me.instance;
        $('counter').textContent = me.counter;
        $('started').textContent = new Date(me.sessionStartedAt).toLocaleTimeString();
        var item = document.createElement('li');
        item.textContent = me.instance + ' → ' + me.counter;
        if (me.counter === 1) item.className = 'reset';
        $('history').prepend(item);
        while ($('history').children.length > 10) $('history').lastChild.remove();
      })
      .catch(function (err) {
        $('instance').textContent = 'error: ' + err.message;
      });
  }
  var timer = null;
  $('again').addEventListener('click', whoami);
  $('auto').addEventListener('change', function (e) {
    clearInterval(timer);
    timer = e.target.checked ? setInterval(whoami, 1000) : null;
  });
  whoami();

  // ---- chat
  function line(text, cls) {
    var item = document.createElement('li');
    item.textContent = text;
    if (cls) item.className = cls;
    $('messages').append(item);
    $('messages').scrollTop = $('messages').scrollHeight;
  }
  if (typeof io !== 'function') {
    $('conn').textContent = 'Socket.IO client did not load';
    return;
  }
  var socket = io({ transports: ['polling', 'websocket'] });
  function showTransport() {
    $('conn').textContent = socket.connected ? 'connected via ' + socket.io.engine.transport.name : 'disconnected';
  }
  socket.on('connect', function () {
    showTransport();
    socket.io.engine.once('upgrade', showTransport);
  });
  socket.on('disconnect', function (reason) {
    showTransport();
    line('disconnected (' + reason + ')', 'system');
  });
  socket.on('connect_error', function (err) {
    $('conn').textContent = 'cannot connect: ' + err.message;
  });
  socket.on('welcome', function (w) {
    $('nick').value = w.nick;
    line('you are ' + w.nick + ' on instance ' + w.instance + ' (' + w.online + ' online here)', 'system');
  });
  socket.on('presence', function (p) {
    line(p.nick + (p.joined ? ' joined' : ' left') + ' (' + p.online + ' online here)', 'system');
  });
  socket.on('message', function (m) {
    line('[' + new Date(m.at).toLocaleTimeString() + '] ' + m.nick + ': ' + m.text);
  });
  $('nick-form').addEventListener('submit', function (e) {
    e.preventDefault();
    socket.emit('nick', $('nick').value, function (reply) {
      line(reply.ok ? 'you are now ' + reply.nick : reply.error, 'system');
    });
  });
  $('message-form').addEventListener('submit', function (e) {
    e.preventDefault();
    var text = $('message').value;
    socket.emit('message', text, function (reply) {
      if (reply.ok) $('message').value = '';
      else line(reply.error, 'system');
    });
  });
})();
