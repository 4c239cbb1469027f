// The search box's suggestions as the learner types: a WAI-ARIA combobox (list autocomplete) over
// GET /api/v1/suggest/. Without this script the box is a plain form that still searches.
(function () {
  "use strict";
  var input = document.getElementById("q");
  var list = document.getElementById("q-suggestions");
  var status = document.getElementById("q-status");
  if (!input || !list || !status || !window.fetch) return;
  var url = input.getAttribute("data-suggest-url");
  var courseUrl = input.getAttribute("data-course-url"); // ends with "/slug/"
  var options = [];
  var active = -1;
  var timer = null;
  var asked = 0;

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-controls", list.id);
  input.setAttribute("aria-expanded", "false");

  function announce(text) {
    status.textContent = text;
  }

  function close() {
    list.hidden = true;
    list.textContent = "";
    options = [];
    active = -1;
    input.setAttribute("aria-expanded", "false");
    input.removeAttribute("aria-activedescendant");
  }

  function highlight(index) {
    options.forEach(function (option, i) {
      option.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    active = index;
    if (index >= 0) {
      input.setAttribute("aria-activedescendant", options[index].id);
      options[index].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }

  function go(option) {
    window.location.href = option.getAttribute("data-href");
  }

  function show(results) {
    close();
    if (!results.length) {
      announce(input.value.trim() ? "No suggestions." : "");
      return;
    }
    results.forEach(function (course, i) {
      var option = document.createElement("li");
      option.id = "q-suggestion-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", "false");
      option.setAttribute("data-href", courseUrl.replace("/slug/", "/" + encodeURIComponent(course.slug) + "/"));
      option.textContent = course.title;
      option.addEventListener("mousedown", function (event) {
        event.preventDefault(); // keep the focus in the box
        go(option);
      });
      list.appendChild(option);
      options.push(option);
    });
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
    announce(results.length + (results.length === 1 ? " suggestion" : " suggestions") +
      ": use the up and down arrows to choose, Enter to open.");
  }

  function ask() {
    var text = input.value;
    var ticket = ++asked;
    if (!text.trim()) {
      close();
      announce("");
      return;
    }
    fetch(url + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (body) { if (ticket === asked) show(body.results || []); })
      .catch(function () { if (ticket === asked) close(); });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
  input.addEventListener("keydown", function (event) {
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) return;
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      var next = active + step;
      if (next >= options.length) next = 0;
      if (next < -1) next = options.length - 1;
      highlight(next === -1 && step === 1 ? 0 : next);
    } else if (event.key === "Enter") {
      if (active >= 0 && options[active]) {
        event.preventDefault();
        go(options[active]);
      } // otherwise the form submits: a search for the words typed
    } else if (event.key === "Escape") {
      if (!list.hidden) {
        event.preventDefault();
        close();
        announce("Suggestions closed.");
      } else {
        input.value = "";
      }
    }
  });
  input.addEventListener("blur", function () { setTimeout(close, 100); });
})();
