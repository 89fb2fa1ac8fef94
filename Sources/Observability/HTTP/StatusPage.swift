/// The status page (`GET /`): one self-contained HTML document — styles and script inline, no external
/// assets, so it works on a machine without internet. Its script reads `status` (relative, so the page
/// also works behind a path prefix) every two seconds and redraws: state, group, member, brokers,
/// rates, totals, the last error, and a table of the assigned partitions with their lag.
enum StatusPage {
    static let html = #"""
    <!DOCTYPE html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>processing-service status</title>
    <style>
      body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #1d232a; background: #f6f8fa; }
      h1 { font-size: 1.3rem; margin: 0 0 .8rem; }
      .cards { display: flex; flex-wrap: wrap; gap: .6rem; margin-bottom: 1rem; }
      .card { background: #fff; border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .8rem; min-width: 8rem; }
      .card b { display: block; font-size: 1.2rem; }
      .card span { color: #57606a; font-size: .8rem; }
      table { border-collapse: collapse; background: #fff; width: 100%; }
      th, td { border: 1px solid #d0d7de; padding: .3rem .6rem; text-align: right; }
      th { background: #eaeef2; }
      td.name, th.name { text-align: left; }
      tr.paused td { background: #fff8c5; }
      .state-running { color: #1a7f37; } .state-starting { color: #9a6700; } .state-draining { color: #cf222e; }
      #error { color: #cf222e; margin: .6rem 0; }
      #updated { color: #57606a; font-size: .8rem; margin-top: .6rem; }
    </style>
    </head>
    <body>
    <h1>processing-service <span id="version"></span> — <span id="state">loading…</span></h1>
    <noscript>This page needs JavaScript; the same facts are at <a href="status">status</a> (JSON).</noscript>
    <div class="cards">
      <div class="card"><b id="group">–</b><span>group</span></div>
      <div class="card"><b id="member">–</b><span>member id</span></div>
      <div class="card"><b id="brokers">–</b><span>brokers connected</span></div>
      <div class="card"><b id="rate">–</b><span>events/s (last minute)</span></div>
      <div class="card"><b id="total-lag">–</b><span>total lag</span></div>
      <div class="card"><b id="processed">–</b><span>processed</span></div>
      <div class="card"><b id="dead-letters">–</b><span>dead letters</span></div>
      <div class="card"><b id="retries">–</b><span>retries</span></div>
      <div class="card"><b id="failed">–</b><span>failed attempts</span></div>
    </div>
    <div id="error"></div>
    <table id="partitions">
      <thead><tr>
        <th class="name">partition</th><th>lag</th><th>committed lag</th><th>next offset</th>
        <th>high watermark</th><th>committed</th><th>consumed</th><th class="name">state</th>
      </tr></thead>
      <tbody id="partition-rows"><tr><td class="name" colspan="8">loading…</td></tr></tbody>
    </table>
    <div id="updated"></div>
    <script>
    "use strict";
    const text = (id, value) => { document.getElementById(id).textContent = value; };
    const show = (value) => (value === null || value === undefined) ? "–" : String(value);
    function render(status) {
      text("version", status.version);
      const state = document.getElementById("state");
      state.textContent = status.state;
      state.className = "state-" + status.state;
      text("group", status.group);
      text("member", status.member_id || "(not joined)");
      text("brokers", show(status.brokers_connected));
      text("rate", status.rates.processed_per_second.toFixed(1));
      text("total-lag", status.partitions.reduce((sum, p) => sum + (p.lag || 0), 0));
      text("processed", status.totals.processed);
      text("dead-letters", status.totals.dead_lettered);
      text("retries", status.totals.retries);
      text("failed", status.totals.failed_attempts);
      text("error", status.last_error ? "last error (" + Math.round(status.last_error.seconds_ago) + " s ago): " + status.last_error.message : "");
      const rows = document.getElementById("partition-rows");
      rows.replaceChildren();
      if (status.partitions.length === 0) {
        const row = rows.insertRow();
        const cell = row.insertCell();
        cell.colSpan = 8; cell.className = "name"; cell.textContent = "no partitions assigned";
      }
      for (const p of status.partitions) {
        const row = rows.insertRow();
        row.className = p.paused ? "paused partition" : "partition";
        row.dataset.partition = p.topic + "[" + p.partition + "]";
        row.dataset.lag = show(p.lag);
        const cells = [p.topic + "[" + p.partition + "]", show(p.lag), show(p.committed_lag), show(p.next_offset),
          show(p.high_watermark), show(p.committed_offset), p.consumed,
          p.paused ? "paused" + (p.pause_reasons.length ? ": " + p.pause_reasons.join(", ") : "") : "flowing"];
        cells.forEach((value, index) => {
          const cell = row.insertCell();
          cell.textContent = value;
          if (index === 0 || index === 7) cell.className = "name";
        });
      }
      text("updated", "updated " + new Date().toLocaleTimeString());
    }
    async function refresh() {
      try {
        const response = await fetch("status", { cache: "no-store" });
        render(await response.json());
      } catch (error) {
        text("error", "cannot read status: " + error);
      }
    }
    refresh();
    setInterval(refresh, 2000);
    </script>
    </body>
    </html>
    """#
}
