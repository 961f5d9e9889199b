package hub

import (
	"encoding/json"
	"net/http"
)

// indexHTML lists the endpoints and shows the stream live through
// EventSource, so a browser is enough to check that a server works.
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
<p>One stream, three transports:</p>
<ul>
<li><code>GET <a href="/sse">/sse</a></code> — Server-Sent Events; resume with <code>Last-Event-ID</code>.</li>
<li><code>GET /ws</code> — WebSocket; every message as text; send <code>ping</code>, get <code>pong</code>.</li>
<li><code>GET <a href="/poll">/poll</a></code> — the newest message (ETag, Last-Modified);
    <code><a href="/poll?since=0">/poll?since=ID</a></code> — the messages after ID as a JSON array.</li>
<li><code>GET <a href="/healthz">/healthz</a></code> — health and counters.</li>
</ul>
<p>Live (<span id="state">connecting</span>):</p>
<pre id="log"></pre>
<script>
const log = document.getElementById("log"), state = document.getElementById("state");
const es = new EventSource("/sse");
es.onopen = () => { state.textContent = "connected"; };
es.onerror = () => { state.textContent = "reconnecting"; };
function show(e) {
  const line = e.lastEventId + (e.type !== "message" ? " [" + e.type + "]" : "") + "  " + e.data + "\n";
  log.textContent = (line + log.textContent).slice(0, 20000);
}
es.onmessage = show;
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
