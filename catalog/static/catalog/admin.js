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

  function labelOf(form) {
    const title = form.querySelector('input[name$="-title"]');
    return title && title.value ? "“" + title.value + "”" : "the new row";
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
    const mark = function () { dirty = true; };
    courseForm.addEventListener("input", mark);
    courseForm.addEventListener("change", mark);
    document.addEventListener("catalog:edited", mark);
    courseForm.addEventListener("submit", function () { saving = true; });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !saving) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", watchEdits);
  } else {
    watchEdits();
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
        result.append(copied ? "Copied the preview link (works without login until " : "Preview link (works without login until ",
          data.expires_at.replace("T", " ").replace("Z", " UTC") + "): ", link);
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
