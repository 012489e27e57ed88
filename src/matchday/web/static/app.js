// matchday dashboard: progress of heavy questions, and the what-if page. No library, no build step.
"use strict";

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The CLI's percentage format: "<0.1%" rather than a misleading 0, ">99.9%" likewise, "-" for zero.
function pct(v) {
  if (v === null || v === undefined || Number.isNaN(v)) return "";
  if (v <= 0) return "-";
  if (v < 0.001) return "<0.1%";
  if (v > 0.999 && v < 1) return ">99.9%";
  return (100 * v).toFixed(1) + "%";
}

async function pollJob(url, onProgress) {
  for (;;) {
    const response = await fetch(url, { headers: { Accept: "application/json" } });
    const job = await response.json();
    if (!response.ok) return { status: "failed", error: job.error || "the job was lost; reload the page" };
    if (onProgress) onProgress(job);
    if (job.status === "done" || job.status === "failed") return job;
    await sleep(300);
  }
}

// Pages render a progress bar for every heavy answer that is not ready; reload once all are done.
function watchJobs() {
  const boxes = Array.from(document.querySelectorAll(".job[data-poll]"));
  if (!boxes.length) return;
  Promise.all(boxes.map((box) => pollJob(box.dataset.poll, (job) => {
    const bar = box.querySelector("progress");
    const text = box.querySelector(".job-text");
    if (bar) bar.value = job.progress;
    if (text) text.textContent = Math.round(100 * job.progress) + "%" + (job.status === "queued" ? " (waiting for a worker)" : "");
  }).then((job) => {
    if (job.status === "failed") {
      const error = box.querySelector(".job-error");
      error.textContent = job.error;
      error.hidden = false;
    }
    return job;
  }))).then((jobs) => {
    if (jobs.every((job) => job.status === "done")) window.location.reload();
  });
}

// What-if page: clicking a result toggles it; the projection with the picks is fetched from the JSON API.
function whatIf() {
  const root = document.getElementById("whatif");
  if (!root) return;
  const status = document.getElementById("whatif-status");
  const table = document.getElementById("whatif-table");
  let sequence = 0;
  let timer = null;

  function picks() {
    return Array.from(root.querySelectorAll(".pick[aria-pressed='true']")).map((button) => {
      const fixture = button.closest(".fixture");
      return `${fixture.dataset.home} v ${fixture.dataset.away}: ${button.dataset.outcome}`;
    });
  }

  function reset() {
    table.querySelectorAll("td.metric").forEach((td) => {
      td.querySelector(".if").textContent = td.querySelector(".base").textContent;
      const chg = td.querySelector(".chg");
      chg.textContent = "";
      chg.className = "chg";
      td.classList.remove("changed");
    });
  }

  function render(view) {
    const rows = new Map(view.rows.map((row) => [row.team, row]));
    table.querySelectorAll("tbody tr").forEach((tr) => {
      const row = rows.get(tr.dataset.team);
      if (!row) return;
      tr.querySelectorAll("td.metric").forEach((td) => {
        const metric = td.dataset.metric;
        const points = td.dataset.format === "points";
        const value = row[metric + "_if"];
        const change = row[metric + "_change"] * (points ? 1 : 100);
        td.querySelector(".if").textContent = points ? value.toFixed(1) : pct(value);
        const chg = td.querySelector(".chg");
        chg.className = "chg";
        const small = Math.abs(change) < 0.05;
        td.classList.toggle("changed", !small);
        chg.textContent = small ? "" : `(${change > 0 ? "+" : "−"}${Math.abs(change).toFixed(1)})`;
        if (!small) chg.classList.add(change > 0 ? "up" : "down");
      });
    });
  }

  async function update() {
    const given = picks();
    const mine = ++sequence;
    if (!given.length) {
      reset();
      status.textContent = "No picks yet: the \"if\" columns equal the baseline.";
      return;
    }
    const params = new URLSearchParams({ as_of: root.dataset.asOf, model: root.dataset.model, sims: root.dataset.sims,
                                         seed: root.dataset.seed, wait: "5" });
    given.forEach((g) => params.append("given", g));
    const url = `${root.dataset.api}?${params}`;
    const started = performance.now();
    status.textContent = "Computing…";
    try {
      let response = await fetch(url, { headers: { Accept: "application/json" } });
      while (response.status === 202) {
        const body = await response.json();
        const job = await pollJob(body.poll, (j) => {
          if (mine === sequence) status.textContent = `Computing… ${Math.round(100 * j.progress)}%`;
        });
        if (mine !== sequence) return;
        if (job.status === "failed") { status.textContent = job.error; return; }
        response = await fetch(url, { headers: { Accept: "application/json" } });
      }
      const view = await response.json();
      if (mine !== sequence) return;
      if (!response.ok) { status.textContent = view.error; return; }
      render(view);
      const seconds = ((performance.now() - started) / 1000).toFixed(1);
      status.textContent = `${given.length} pick${given.length > 1 ? "s" : ""} applied (${seconds} s).`;
    } catch (error) {
      if (mine === sequence) status.textContent = "Could not reach the server: " + error;
    }
  }

  root.addEventListener("click", (event) => {
    const button = event.target.closest(".pick");
    if (!button) return;
    const wasOn = button.getAttribute("aria-pressed") === "true";
    button.closest(".picks").querySelectorAll(".pick").forEach((b) => b.setAttribute("aria-pressed", "false"));
    button.setAttribute("aria-pressed", wasOn ? "false" : "true");
    clearTimeout(timer);
    timer = setTimeout(update, 120);
  });
  document.getElementById("whatif-reset").addEventListener("click", () => {
    root.querySelectorAll(".pick[aria-pressed='true']").forEach((b) => b.setAttribute("aria-pressed", "false"));
    update();
  });
}

// Range inputs show their value next to them.
function ranges() {
  document.querySelectorAll("input[type=range]").forEach((input) => {
    const output = input.parentElement.querySelector("output");
    if (output) input.addEventListener("input", () => { output.textContent = input.value; });
  });
}

document.addEventListener("DOMContentLoaded", () => { watchJobs(); whatIf(); ranges(); });
