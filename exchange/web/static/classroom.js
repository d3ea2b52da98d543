// The classroom pages' live parts: the instructor's live view and the student's round state.
// Plain polling every two seconds (no event stream held open), paused while the tab is hidden.
"use strict";
(() => {
  const EVERY = 2000;
  // Reload without the last action's ?done= message (it was about the page before).
  const fresh = () => window.location.replace(window.location.pathname);

  const later = (step) => {
    const again = () => (document.hidden ? setTimeout(again, EVERY) : step());
    setTimeout(again, EVERY);
  };

  // Instructor: swap in the fresh live fragment; reload the page when the class's status
  // changes so the controls match it.
  const live = document.querySelector("[data-live]");
  if (live) {
    const shown = () => live.querySelector("[data-status]");
    const status = shown() ? shown().dataset.status : "";
    const poll = async () => {
      try {
        const answer = await fetch(live.dataset.live, { credentials: "same-origin", cache: "no-store" });
        if (answer.ok && !answer.redirected) {
          live.innerHTML = await answer.text();
          const now = shown();
          if (now && now.dataset.status !== status) {
            fresh();
            return;
          }
        }
      } catch (error) {
        // the server is restarting or the network dropped: try again next time
      }
      later(poll);
    };
    later(poll);
  }

  // Student: reload when the round or the status changes (a new need, the market opens or
  // closes, the result is in).
  const state = document.querySelector("[data-state]");
  if (state) {
    const poll = async () => {
      try {
        const answer = await fetch(state.dataset.state, { credentials: "same-origin", cache: "no-store" });
        if (answer.ok && !answer.redirected) {
          const now = await answer.json();
          if (now.status !== state.dataset.status || String(now.round) !== state.dataset.round) {
            fresh();
            return;
          }
        }
      } catch (error) {
        // try again next time
      }
      later(poll);
    };
    later(poll);
  }

  // Countdowns to a round's end (the server's time; the page reloads when it passes).
  const countdowns = document.querySelectorAll("time[data-countdown]");
  if (countdowns.length) {
    const tick = () => {
      for (const el of countdowns) {
        const left = Math.max(0, Math.round((Date.parse(el.dataset.countdown) - Date.now()) / 1000));
        el.textContent = `${Math.floor(left / 60)}:${String(left % 60).padStart(2, "0")}`;
      }
    };
    tick();
    setInterval(tick, 1000);
  }
})();
