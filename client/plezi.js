// Plezi's JavaScript client for Plezi for Go: WebSocket with JSON events,
// acknowledgements and reconnection, and an EventSource + POST fallback
// where WebSocket is unavailable. No build step: load /plezi.js with a
// <script> tag (it defines PleziClient), or import it as an ES module from
// /plezi.mjs (`import PleziClient from "/plezi.mjs"`).
//
//   const client = new PleziClient("/chat", true);   // url, autoreconnect
//   client.chat = (msg) => show(msg.name, msg.text); // handler of "chat"
//   client.onopen = () => client.emit("join", { name: "Ann" });
//   client.emit("chat", { text: "hi" }, (ack) => {}, (ev) => alert("lost"));
//
// Messages from the server that are JSON objects with an "event" go to the
// handler of that name (client.on(name, fn), or a method client[name]),
// else to client.unknown(msg); other messages go to client.onmessage(data).
(function (root) {
  "use strict";

  // resolve turns a path ("/chat") or URL into the http(s) and ws(s) URLs
  // of the endpoint.
  function resolve(url) {
    var base = typeof location !== "undefined" ? location.href : "http://localhost/";
    var u = new URL(url, base);
    if (u.protocol === "ws:") u.protocol = "http:";
    if (u.protocol === "wss:") u.protocol = "https:";
    var http = u.href;
    u.protocol = u.protocol === "https:" ? "wss:" : "ws:";
    return { http: http, ws: u.href };
  }

  var reserved = { _ack_: true, _plezi_: true };

  // PleziClient connects to url ("/chat", "https://host/chat", "ws://...").
  // autoreconnect (default true) reconnects with exponential backoff after
  // a connection is lost. options: transport ("websocket", "sse" or "auto",
  // the default: WebSocket when the browser has it and it opens, else
  // SSE + POST), timeout (ms an emit waits for its ack, default 5000),
  // minDelay and maxDelay (the reconnection backoff, 250 and 10000 ms).
  function PleziClient(url, autoreconnect, options) {
    if (!(this instanceof PleziClient)) return new PleziClient(url, autoreconnect, options);
    options = options || {};
    var urls = resolve(url);
    this.url = urls.http;
    this.wsURL = urls.ws;
    this.autoreconnect = autoreconnect !== false;
    this.timeout = options.timeout || 5000;
    this.minDelay = options.minDelay || 250;
    this.maxDelay = options.maxDelay || 10000;
    this.transport = options.transport || "auto";
    if (this.transport === "auto" && typeof WebSocket !== "function") this.transport = "sse";
    this.id = null; // the server's connection ID (event streams report it)
    this.onopen = null;
    this.onclose = null;
    this.onmessage = null;
    this._handlers = {};
    this._acks = {};
    this._eid = 0;
    this._delay = this.minDelay;
    this._failures = 0;
    this._closed = false;
    this._open = false;
    this._conn = null;
    this._timer = null;
    this.connect();
  }

  var P = PleziClient.prototype;

  // connect opens a connection (the constructor calls it).
  P.connect = function () {
    this._closed = false;
    clearTimeout(this._timer);
    if (this.transport === "sse") this._connectSSE();
    else this._connectWS();
  };

  P._connectWS = function () {
    var self = this;
    var ws;
    try {
      ws = new WebSocket(this.wsURL);
    } catch (err) {
      this._lost();
      return;
    }
    ws.binaryType = "arraybuffer";
    this._conn = ws;
    ws.onopen = function () {
      self._failures = -1; // once opened, WebSocket works here
      self._opened();
    };
    ws.onmessage = function (e) { self._receive(e.data); };
    ws.onclose = function (e) {
      if (self._conn !== ws) return;
      self._conn = null;
      if (self._failures >= 0) self._failures++;
      self._lost(e);
    };
  };

  P._connectSSE = function () {
    var self = this;
    if (typeof EventSource !== "function") {
      this._lost();
      return;
    }
    var es = new EventSource(this.url);
    this._conn = es;
    // The first event gives the connection's ID and the token that
    // POSTed messages carry.
    es.addEventListener("_plezi_", function (e) {
      var hello = JSON.parse(e.data);
      self.id = hello.id;
      self._token = hello.token;
      self._opened();
    });
    es.onmessage = function (e) { self._receive(e.data); };
    es.onerror = function () {
      if (self._conn !== es) return;
      // EventSource retries by itself; a new stream sends a new hello.
      var was = self._open;
      self._open = false;
      self._token = null;
      if (was && self.onclose) self.onclose({ code: 1006, reason: "stream lost" });
      if (!self.autoreconnect || es.readyState === 2) {
        es.close();
        self._conn = null;
        self._lost();
      }
    };
  };

  P._opened = function () {
    this._open = true;
    this._delay = this.minDelay;
    if (this.onopen) this.onopen(this);
  };

  // _lost reports a closed connection and schedules a reconnection.
  P._lost = function (e) {
    var was = this._open;
    this._open = false;
    if (was && this.onclose) this.onclose(e || { code: 1006, reason: "" });
    if (this._closed || !this.autoreconnect) return;
    // WebSocket never opened twice (no browser support, a proxy): fall back.
    if (this.transport === "auto" && this._failures >= 2 && typeof EventSource === "function") {
      this.transport = "sse";
    }
    var delay = this._delay * (0.75 + Math.random() / 2);
    this._delay = Math.min(this._delay * 2, this.maxDelay);
    var self = this;
    this._timer = setTimeout(function () { self.connect(); }, delay);
  };

  // _receive dispatches one message from the server.
  P._receive = function (data) {
    var msg = null;
    if (typeof data === "string" && data.charAt(0) === "{") {
      try { msg = JSON.parse(data); } catch (err) { msg = null; }
    }
    if (!msg || typeof msg.event !== "string") {
      if (this.onmessage) this.onmessage(data);
      return;
    }
    if (msg.event === "_ack_") {
      var pending = this._acks[msg._EID_];
      if (pending) {
        delete this._acks[msg._EID_];
        clearTimeout(pending.timer);
        if (pending.onAck) pending.onAck(msg);
      }
      return;
    }
    var fn = this._handlers[msg.event] ||
      (!reserved[msg.event] && !(msg.event in P) && typeof this[msg.event] === "function" ? this[msg.event] : null);
    if (fn) fn.call(this, msg);
    else if (typeof this.unknown === "function") this.unknown(msg);
  };

  // on sets the handler of event name (null removes it).
  P.on = function (name, fn) {
    if (fn) this._handlers[name] = fn;
    else delete this._handlers[name];
    return this;
  };

  // emit sends {event: name, ...data}. With onAck it asks for an
  // acknowledgement (an _EID_): onAck(ack) runs when it arrives, or
  // onTimeout(name, data) after the client's timeout. It returns false
  // when the message could not be sent (not connected).
  P.emit = function (name, data, onAck, onTimeout) {
    var msg = {};
    if (data) for (var k in data) if (Object.prototype.hasOwnProperty.call(data, k)) msg[k] = data[k];
    msg.event = name;
    if (onAck || onTimeout) {
      var eid = "e" + (++this._eid);
      msg._EID_ = eid;
      var self = this;
      this._acks[eid] = {
        onAck: onAck,
        timer: setTimeout(function () {
          delete self._acks[eid];
          if (onTimeout) onTimeout(name, data);
        }, this.timeout),
      };
    }
    var ok = this.send(JSON.stringify(msg));
    if (!ok && msg._EID_) {
      clearTimeout(this._acks[msg._EID_].timer);
      delete this._acks[msg._EID_];
      if (onTimeout) onTimeout(name, data);
    }
    return ok;
  };

  // send sends a raw text message (over SSE: a POST). It returns false
  // when not connected.
  P.send = function (text) {
    if (!this._open) return false;
    if (this.transport !== "sse") {
      this._conn.send(text);
      return true;
    }
    var self = this;
    fetch(this.url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Plezi-Token": this._token },
      body: text,
    }).catch(function () { if (self.onerror) self.onerror(); });
    return true;
  };

  // close closes the connection for good (no reconnection).
  P.close = function () {
    this._closed = true;
    clearTimeout(this._timer);
    var c = this._conn;
    this._conn = null;
    if (c) c.close();
    var was = this._open;
    this._open = false;
    if (was && this.onclose) this.onclose({ code: 1000, reason: "closed" });
  };

  // isOpen reports whether the client is connected.
  P.isOpen = function () { return this._open; };

  root.PleziClient = PleziClient;
})(typeof globalThis !== "undefined" ? globalThis : this);
