package hub

import (
	"encoding/json"
	"net/http"
)

// indexHTML lists the endpoints and shows the stream live, every event
// whatever its type, so a browser is enough to check that a server works.
const indexHTML = `<!doctype html>
<html lang="en">
<meta charset="utf-8">
<title>Feedscope hub</title>
<style>
body { font: 15px system-ui, sans-serif; margin: 2em; max-width: 60em; }
code, pre { font: 13px ui-monospace, monospace; }
pre { background: #f4f4f4; padding: 1em; height: 24em; overflow: auto; }
#state { font-weight: bold; }
</style>
<h1>Feedscope hub</h1>
<p>One stream, four ways to read it:</p>
<ul>
<li><code>GET <a href="/sse">/sse</a></code> — Server-Sent Events; resume with <code>Last-Event-ID</code>.</li>
<li><code>GET /ws</code> — WebSocket; every message as text; send <code>ping</code>, get <code>pong</code>.</li>
<li><code>GET <a href="/poll">/poll</a></code> — the newest message (ETag, Last-Modified);
    <code><a href="/poll?since=0">/poll?since=ID</a></code> — the messages after ID as a JSON array;
    with <code>Prefer: wait=N</code> either is held until there is something new (long polling).</li>
<li><code>GET <a href="/healthz">/healthz</a></code> — health and counters.</li>
</ul>
<p>Live (<span id="state">connecting</span>):</p>
<pre id="log"></pre>
<script>
const log = document.getElementById("log"), state = document.getElementById("state");
function show(id, type, data) {
  const line = id + (type !== "" && type !== "message" ? " [" + type + "]" : "") + "  " + data + "\n";
  log.textContent = (line + log.textContent).slice(0, 20000);
}
// EventSource hands typed events (flask-sse's "type") only to listeners
// registered for that type in advance, and the page cannot know the types:
// so it reads the stream itself, and every event shows.
async function follow() {
  let lastId = "", retry = 2000;
  for (;;) {
    try {
      const resp = await fetch(new URL("sse", document.baseURI), {
        headers: lastId === "" ? {} : {"Last-Event-ID": lastId}, cache: "no-store"});
      if (!resp.ok || !resp.body) throw new Error("HTTP " + resp.status);
      state.textContent = "connected";
      const reader = resp.body.pipeThrough(new TextDecoderStream()).getReader();
      let buf = "", id = lastId, type = "", data = [];
      for (;;) {
        const {value, done} = await reader.read();
        if (done) break;
        buf += value;
        let nl;
        while ((nl = buf.indexOf("\n")) >= 0) {
          const line = buf.slice(0, nl).replace(/\r$/, "");
          buf = buf.slice(nl + 1);
          if (line === "") {
            if (data.length > 0) { lastId = id; show(id, type, data.join("\n")); }
            type = ""; data = [];
            continue;
          }
          if (line.startsWith(":")) continue;
          const c = line.indexOf(":");
          const field = c < 0 ? line : line.slice(0, c);
          let v = c < 0 ? "" : line.slice(c + 1);
          if (v.startsWith(" ")) v = v.slice(1);
          if (field === "data") data.push(v);
          else if (field === "event") type = v;
          else if (field === "id") id = v;
          else if (field === "retry" && /^[0-9]+$/.test(v)) retry = Number(v);
        }
      }
    } catch (e) {
      // a refused or dropped connection: reconnect below
    }
    state.textContent = "reconnecting";
    await new Promise(r => setTimeout(r, retry));
  }
}
follow();
</script>
</html>
`

func (h *Hub) onIndex(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, _ = w.Write([]byte(indexHTML))
}

func (h *Hub) onHealth(w http.ResponseWriter, r *http.Request) {
	st := h.Stats()
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-cache")
	_ = json.NewEncoder(w).Encode(map[string]any{
		"status":    "ok",
		"last_id":   st.LastID,
		"clients":   st.Clients,
		"published": st.Published,
		"dropped":   st.Dropped,
	})
}
