// shiliao serve: two small helpers, nothing the pages need to work without.
"use strict";

// A job page follows its job: the state is read from the API each second, and the page is
// loaded again once the job is over (to show its result).
function followJob() {
  const state = document.getElementById("job-state");
  if (!state || !["queued", "running"].includes(state.dataset.state)) return;
  const bar = document.getElementById("job-progress");
  const tick = async () => {
    try {
      const reply = await fetch(`/api/jobs/${state.dataset.job}`, { credentials: "same-origin" });
      if (!reply.ok) return;
      const job = await reply.json();
      if (!["queued", "running"].includes(job.state)) {
        window.location.reload();
        return;
      }
      const p = job.progress;
      state.textContent = p.total ? `${job.state}: ${p.stage} ${p.done} of ${p.total}` : job.state;
      if (bar && p.total) {
        bar.max = p.total;
        bar.value = p.done;
      }
    } catch (error) {
      // The server may be restarting; try again at the next tick.
    }
    window.setTimeout(tick, 1000);
  };
  window.setTimeout(tick, 1000);
}

// Selecting words of a passage fills the quote of that passage's annotation form.
function quoteFromSelection() {
  document.addEventListener("mouseup", () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    const node = selection.anchorNode && selection.anchorNode.parentElement;
    const text = node && node.closest("p.text[data-paragraph]");
    if (!text) return;
    const section = text.closest("section.passage");
    const field = section && section.querySelector("input.quote");
    if (!field) return;
    field.value = selection.toString().trim();
    const details = field.closest("details");
    if (details) details.open = true;
  });
}

document.addEventListener("DOMContentLoaded", () => {
  followJob();
  quoteFromSelection();
});
