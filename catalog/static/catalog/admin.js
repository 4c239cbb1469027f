/* The course page's enhancements; everything works without them, with less comfort:
   - move buttons: a keyboard's way to reorder units and modules (a module also into the unit
     before or after), the same DOM moves django-nested-admin's drag makes;
   - a warning before leaving the page with unsaved edits;
   - "Copy preview link": asks for a link and copies it, showing it too. */
(function () {
  "use strict";

  function live(text) {
    let region = document.getElementById("catalog-live");
    if (!region) {
      region = document.createElement("div");
      region.id = "catalog-live";
      region.className = "catalog-sr-only";
      region.setAttribute("aria-live", "polite");
      document.body.appendChild(region);
    }
    region.textContent = "";
    window.setTimeout(function () { region.textContent = text; }, 50);
  }

  function itemsOf(container) {
    return Array.prototype.filter.call(container.children, function (el) {
      return el.classList.contains("djn-item") && !el.classList.contains("djn-no-drag") &&
        !el.classList.contains("djn-empty-form") && !el.classList.contains("djn-thead");
    });
  }

  function titleOf(form) {
    const input = titleInput(form);
    return input ? input.value.trim() : "";
  }

  function labelOf(form) {
    const title = titleOf(form);
    return title ? "“" + title + "”" : "the new row";
  }

  // A unit's own title (not one of its modules').
  function titleInput(form) {
    return Array.prototype.find.call(form.querySelectorAll('input[name$="-title"]'), function (input) {
      return input.closest(".djn-inline-form") === form;
    }) || null;
  }

  function isUnit(form) {
    return form.dataset.inlineModel === "catalog-unit";
  }

  // --- The tree's rows: units and modules in page order, numbered and named as they stand now.

  function rows() {
    return Array.prototype.filter.call(document.querySelectorAll(".djn-inline-form[data-inline-model]"), function (row) {
      return !row.closest(".djn-empty-form") && !row.classList.contains("djn-empty-form");
    });
  }

  // Renumber and rename live: unit labels ("2. Joins"), module numbers ("2.1") and the move buttons'
  // names follow the rows' current places and titles, before anything is saved.
  function relabel() {
    let unitNumber = 0;
    let moduleNumber = 0;
    rows().forEach(function (row) {
      const title = titleOf(row);
      let number;
      if (isUnit(row)) {
        unitNumber += 1;
        moduleNumber = 0;
        number = String(unitNumber);
        const label = row.querySelector(".catalog-unit-head .inline_label");
        if (label) {
          label.textContent = number + ". " + (title || "New unit");
        }
      } else {
        moduleNumber += 1;
        number = unitNumber + "." + moduleNumber;
        const label = row.querySelector(".catalog-module-number");
        if (label) {
          label.textContent = number;
        }
      }
      const kind = isUnit(row) ? "unit" : "module";
      const name = title ? kind + " “" + title + "”" : "this new " + kind;
      cellsOf(row).forEach(function (cell) {
        if (cell.matches("button.catalog-move")) {
          cell.setAttribute("aria-label", "Move " + name + " " + cell.dataset.direction);
        }
      });
    });
  }

  // --- One tab stop per row (roving tabindex): Tab goes from row to row; arrow keys move inside a
  // row (← →, Home, End) and to the same place in the row above or below (↑ ↓).

  const CELLS = 'button.catalog-move, input:not([type="hidden"]), textarea, button.catalog-markdown-preview-button, ' +
    'select, a.djn-remove-handler';

  function cellsOf(row) {
    return Array.prototype.filter.call(row.querySelectorAll(CELLS), function (cell) {
      return cell.closest(".djn-inline-form") === row && !cell.closest(".djn-empty-form");
    });
  }

  function rove() {
    rows().forEach(function (row) {
      const cells = cellsOf(row);
      const stop = cells.find(function (cell) { return cell.classList.contains("catalog-stop"); }) || cells[0];
      cells.forEach(function (cell) {
        cell.classList.toggle("catalog-stop", cell === stop);
        cell.setAttribute("tabindex", cell === stop ? "0" : "-1");
      });
    });
  }

  function enter(cell) {
    if (!cell) {
      return;
    }
    cell.focus();
    if (isText(cell) && cell.select) {
      cell.select();  // as in a grid: the text selected, the first ← or → goes into it
    }
  }

  function focusCell(row, index) {
    const cells = cellsOf(row);
    enter(cells[Math.max(0, Math.min(index, cells.length - 1))]);
  }

  function isText(cell) {
    return cell.matches("textarea") || (cell.matches("input") && !/^(checkbox|radio|button|submit)$/.test(cell.type));
  }

  function atEdge(cell, start) {
    if (!isText(cell)) {
      return true;
    }
    if (cell.selectionStart !== cell.selectionEnd) {
      return false;
    }
    return start ? cell.selectionStart === 0 : cell.selectionEnd === cell.value.length;
  }

  function treeKeydown(event) {
    const cell = event.target;
    const row = cell.closest && cell.closest(".djn-inline-form[data-inline-model]");
    if (!row || !cell.matches(CELLS) || event.altKey || event.ctrlKey || event.metaKey) {
      return;
    }
    const cells = cellsOf(row);
    const index = cells.indexOf(cell);
    if (index < 0) {
      return;
    }
    const all = rows();
    let handled = true;
    switch (event.key) {
      case "ArrowLeft":
      case "ArrowRight": {
        const left = event.key === "ArrowLeft";
        if (!atEdge(cell, left) || event.shiftKey) {
          return;
        }
        enter(cells[index + (left ? -1 : 1)]);
        break;
      }
      case "ArrowUp":
      case "ArrowDown": {
        if (cell.matches("textarea") || event.shiftKey) {
          return;  // lines of text: the caret's keys
        }
        const other = all[all.indexOf(row) + (event.key === "ArrowUp" ? -1 : 1)];
        if (other) {
          focusCell(other, index);
        }
        break;
      }
      case "Home":
      case "End":
        if (isText(cell)) {
          return;
        }
        focusCell(row, event.key === "Home" ? 0 : cells.length - 1);
        break;
      default:
        handled = false;
    }
    if (handled) {
      event.preventDefault();
    }
  }

  document.addEventListener("keydown", treeKeydown);
  document.addEventListener("focusin", function (event) {
    const cell = event.target;
    const row = cell.closest && cell.closest(".djn-inline-form[data-inline-model]");
    if (!row || !cell.matches(CELLS)) {
      return;
    }
    cellsOf(row).forEach(function (other) {
      other.classList.toggle("catalog-stop", other === cell);
      other.setAttribute("tabindex", other === cell ? "0" : "-1");
    });
  });

  // Links that act as buttons ("Add another Module", "Remove") answer Space as buttons do (Enter
  // already follows a link).
  document.addEventListener("keydown", function (event) {
    const link = event.target.closest && event.target.closest('a[role="button"]');
    if (link && (event.key === " " || event.key === "Spacebar")) {
      event.preventDefault();
      link.click();
    }
  });

  function refreshTree() {
    rove();
    relabel();
  }

  function watchTree() {
    const root = document.querySelector(".djn-group-root");
    if (!root) {
      return;
    }
    refreshTree();
    // Rows added, removed, dragged or moved by the buttons: renumber and rename at once.
    let pending = false;
    new MutationObserver(function () {
      if (!pending) {
        pending = true;
        window.requestAnimationFrame(function () {
          pending = false;
          refreshTree();
        });
      }
    }).observe(root, { childList: true, subtree: true });
    root.addEventListener("input", function (event) {
      if (event.target.matches('input[name$="-title"]')) {
        relabel();
      }
    });
  }

  function move(button) {
    const $ = window.django && window.django.jQuery;
    const form = button.closest(".djn-inline-form");
    const container = form.parentElement;
    const group = container.closest(".djn-group");
    const items = itemsOf(container);
    const index = items.indexOf(form);
    const up = button.dataset.direction === "up";
    const nested = group.classList.contains("djn-group-nested");
    let where;
    if (up && index > 0) {
      container.insertBefore(form, items[index - 1]);
      where = "position " + index;
    } else if (!up && index < items.length - 1) {
      container.insertBefore(form, items[index + 1].nextSibling);
      where = "position " + (index + 2);
    } else if (nested && $) {
      const unit = group.closest(".djn-inline-form");
      const units = itemsOf(unit.parentElement);
      const neighbour = units[units.indexOf(unit) + (up ? -1 : 1)];
      const target = neighbour && neighbour.querySelector(".djn-group-nested");
      if (!target) {
        live(labelOf(form) + " is already " + (up ? "first" : "last"));
        return;
      }
      const targetItems = target.querySelector(".djn-items");
      const targetList = itemsOf(targetItems);
      const template = Array.prototype.find.call(targetItems.children, function (el) {
        return el.classList.contains("djn-empty-form");
      });
      const before = up ? template || null : targetList[0] || template || null;
      targetItems.insertBefore(form, before);
      // django-nested-admin renames the row into its new unit's formset, as after a drag.
      $(target).djangoFormset().spliceInto($(form));
      where = "unit " + labelOf(neighbour) + ", " + (up ? "last" : "first");
    } else {
      live(labelOf(form) + " is already " + (up ? "first" : "last"));
      return;
    }
    // django-nested-admin's bundle exposes its helpers on window.DJNesting.default.
    const nesting = window.DJNesting && (window.DJNesting.updatePositions ? window.DJNesting : window.DJNesting.default);
    if (nesting && $) {
      for (const g of [group, form.closest(".djn-group")]) {
        nesting.updatePositions(g.id.replace(/-group$/, ""));
        $(document).trigger("djnesting:mutate", [$(g)]);
      }
    }
    document.dispatchEvent(new CustomEvent("catalog:edited"));
    refreshTree();
    button.focus();
    live("Moved " + labelOf(form) + " to " + where + ". Save to keep it.");
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest("button.catalog-move");
    if (button) {
      event.preventDefault();
      move(button);
    }
  });

  // Unsaved edits: ask before any other link or button leaves the page.
  function watchEdits() {
    const courseForm = document.getElementById("course_form");
    if (!courseForm) {
      return;
    }
    let dirty = false;
    let saving = false;
    // Said at the top of the form and beside the save buttons, and in the tab's title.
    const badges = [];
    const top = courseForm.querySelector("fieldset") || courseForm.firstElementChild;
    const row = courseForm.querySelector(".submit-row");
    [top, row].forEach(function (place, index) {
      if (!place) {
        return;
      }
      const badge = document.createElement(index ? "span" : "p");
      badge.className = "catalog-unsaved";
      badge.hidden = true;
      badge.textContent = "Unsaved changes: save to keep them";
      if (index) {
        place.insertBefore(badge, place.firstChild);
      } else {
        badge.setAttribute("role", "status");
        place.parentNode.insertBefore(badge, place);
      }
      badges.push(badge);
    });
    const title = document.title;
    const mark = function (event) {
      if (event && event.target && event.target.name === "action") {
        return;
      }
      if (!dirty) {
        dirty = true;
        badges.forEach(function (badge) { badge.hidden = false; });
        document.title = "• " + title;
      }
    };
    courseForm.addEventListener("input", mark);
    courseForm.addEventListener("change", mark);
    document.addEventListener("catalog:edited", mark);
    // Rows added or removed, or dragged (django-nested-admin says so with jQuery events).
    courseForm.addEventListener("click", function (event) {
      if (event.target.closest && event.target.closest(".djn-add-handler, .djn-remove-handler")) {
        mark();
      }
    });
    if (window.django && window.django.jQuery) {
      window.django.jQuery(document).on("djnesting:mutate", function () { mark(); });
    }
    courseForm.addEventListener("submit", function () { saving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !saving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
  // --- Markdown boxes: grow with their text; "Preview" renders them on the server with the pages'
  // own safe renderer (the admin's markdown-preview endpoint), so what shows is what learners get.

  function grow(box) {
    if (!box.matches("textarea.catalog-markdown") || box.closest(".djn-empty-form")) {
      return;
    }
    box.style.height = "auto";
    box.style.height = Math.min(box.scrollHeight + 4, window.innerHeight * 0.8) + "px";
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea.catalog-markdown")) {
      grow(event.target);
      const button = event.target.parentElement.querySelector(".catalog-markdown-preview-button");
      if (button && button.getAttribute("aria-expanded") === "true") {
        window.clearTimeout(button.catalogTimer);
        button.catalogTimer = window.setTimeout(function () { showPreview(button); }, 400);
      }
    }
  });

  function showPreview(button) {
    const box = button.parentElement.querySelector("textarea.catalog-markdown");
    const panel = button.nextElementSibling;
    const token = document.querySelector('input[name="csrfmiddlewaretoken"]');
    const body = new FormData();
    body.append("text", box.value);
    return fetch(button.dataset.url, {
      method: "POST",
      body: body,
      headers: { "X-CSRFToken": token ? token.value : "", Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      return response.json().then(function (data) {
        if (!response.ok) {
          throw new Error(data.detail || response.statusText);
        }
        panel.innerHTML = data.html || "<p><em>Nothing to show yet.</em></p>";
      });
    }).catch(function (error) {
      panel.textContent = "No preview: " + error.message;
    });
  }

  document.addEventListener("click", function (event) {
    const button = event.target.closest && event.target.closest("button.catalog-markdown-preview-button");
    if (!button) {
      return;
    }
    event.preventDefault();
    const panel = button.nextElementSibling;
    const open = button.getAttribute("aria-expanded") !== "true";
    button.setAttribute("aria-expanded", open ? "true" : "false");
    button.textContent = open ? "Hide preview" : "Preview";
    panel.hidden = !open;
    if (open) {
      showPreview(button);
    }
  });

  function ready() {
    document.documentElement.classList.add("catalog-js");
    document.querySelectorAll("textarea.catalog-markdown").forEach(grow);
    watchEdits();
    watchTree();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }

  // "2026-12-13 10:05 Europe/Paris (09:05 UTC)": the editor's time to the minute, UTC beside it.
  function expiry(iso) {
    const at = new Date(iso);
    if (isNaN(at)) {
      return iso;
    }
    const two = function (n) { return String(n).padStart(2, "0"); };
    const local = at.getFullYear() + "-" + two(at.getMonth() + 1) + "-" + two(at.getDate()) + " " +
      two(at.getHours()) + ":" + two(at.getMinutes());
    const utc = at.getUTCFullYear() + "-" + two(at.getUTCMonth() + 1) + "-" + two(at.getUTCDate()) + " " +
      two(at.getUTCHours()) + ":" + two(at.getUTCMinutes());
    let zone = "";
    try {
      zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
    } catch (error) {
      zone = "";
    }
    if (zone === "UTC" || zone === "Etc/UTC" || local === utc) {
      return utc + " UTC";
    }
    const sameDay = local.slice(0, 10) === utc.slice(0, 10);
    return local + " " + (zone || "your time") + " (" + (sameDay ? utc.slice(11) : utc) + " UTC)";
  }

  // "Copy preview link": fetch a new link as JSON, show it and copy it; a plain POST without script.
  document.addEventListener("submit", function (event) {
    const form = event.target.closest("form.catalog-preview");
    const result = document.getElementById("catalog-preview-result");
    if (!form || !result || !window.fetch) {
      return;
    }
    event.preventDefault();
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    }).then(function (response) {
      if (!response.ok) {
        throw new Error(response.statusText);
      }
      return response.json();
    }).then(function (data) {
      result.textContent = "";
      const link = document.createElement("a");
      link.href = data.url;
      link.textContent = data.url;
      link.className = "catalog-preview-link";
      const done = function (copied) {
        const until = document.createElement("time");
        until.dateTime = data.expires_at;
        until.textContent = expiry(data.expires_at);
        result.append(copied ? "Copied the preview link (works without login until " : "Preview link (works without login until ",
          until, "): ", link);
      };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(data.url).then(function () { done(true); }, function () { done(false); });
      } else {
        done(false);
      }
    }).catch(function () {
      form.submit();
    });
  });
})();
