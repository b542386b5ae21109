/* The staff calendar (backoffice/calendar.py): FullCalendar over the JSON feed, a dialog
   to approve, reschedule or decline an appointment, and drag and drop to move one.
   Times are the organisation's wall-clock times: the calendar runs in "UTC" so that it
   draws them as the feed writes them, and posts them back the same way.
   Without JavaScript the page still lists the requests, each a link to its booking. */
(function () {
  "use strict";
  var config, calendar, current, dialog;

  function csrf() {
    try { return JSON.parse(document.body.getAttribute("hx-headers"))["X-CSRFToken"]; }
    catch (e) { return ""; }
  }

  function say(text) {
    var status = document.getElementById("cal-status");
    status.textContent = text;
  }

  function url(template, reference, verb) {
    return template.replace("REFERENCE", encodeURIComponent(reference)).replace("VERB", verb || "");
  }

  function post(reference, verb, data) {
    return fetch(url(config.act, reference, verb), {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrf(), "Accept": "application/json" },
      body: data
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    });
  }

  function clearErrors(form) {
    form.querySelectorAll(".field-error.from-server").forEach(function (el) { el.remove(); });
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    });
    var box = document.getElementById("appt-error");
    box.hidden = true;
    box.textContent = "";
  }

  function showErrors(form, body) {
    var box = document.getElementById("appt-error");
    var placed = false;
    Object.keys(body.fields || {}).forEach(function (name) {
      var input = form.querySelector('[name="' + name + '"]');
      if (!input) return;
      var id = (input.id || name) + "-server-error";
      var small = document.createElement("small");
      small.className = "field-error from-server";
      small.id = id;
      small.textContent = body.fields[name].join(" ");
      input.parentNode.appendChild(small);
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", id);
      if (!placed) input.focus();
      placed = true;
    });
    box.textContent = body.message || "";
    box.hidden = !body.message;
  }

  function showStep(verb) {
    dialog.querySelectorAll(".appt-step").forEach(function (form) {
      form.hidden = form.getAttribute("data-verb") !== verb;
      clearErrors(form);
    });
    dialog.querySelector(".appt-buttons").hidden = !!verb;
    var shown = verb && dialog.querySelector('.appt-step[data-verb="' + verb + '"]');
    if (shown) {
      var first = shown.querySelector("select, input, textarea, button[type=submit]");
      if (first) first.focus();
    }
  }

  function wallText(date, withTime) {
    var options = { dateStyle: "full", timeZone: "UTC" };
    if (withTime) options.timeStyle = "short";
    try { return new Intl.DateTimeFormat(config.locale, options).format(date); }
    catch (e) { return date.toISOString(); }
  }

  function open(event) {
    current = event;
    var props = event.extendedProps;
    document.getElementById("appt-title").textContent = event.title;
    var facts = Object.assign({}, props, { whenText: wallText(event.start, true) });
    dialog.querySelectorAll("[data-fact]").forEach(function (dd) {
      dd.textContent = facts[dd.getAttribute("data-fact")] || "";
    });
    document.getElementById("appt-link").href = url(config.booking, props.reference);
    dialog.querySelectorAll("[data-step]").forEach(function (button) {
      button.hidden = props.actions.indexOf(button.getAttribute("data-step")) < 0;
    });
    var move = dialog.querySelector('.appt-step[data-verb="move"]');
    move.reset();
    move.querySelector('[name="day"]').value = props.when.slice(0, 10);
    move.querySelector('[name="at"]').value = props.when.slice(11, 16);
    dialog.querySelectorAll(".appt-step").forEach(function (form) {
      form.reset();
      form.querySelectorAll("[data-toggles]").forEach(function (box) {
        document.getElementById(box.getAttribute("data-toggles")).hidden = true;
      });
    });
    move.querySelector('[name="day"]').value = props.when.slice(0, 10);
    move.querySelector('[name="at"]').value = props.when.slice(11, 16);
    showStep("");
    if (!dialog.open) dialog.showModal();
  }

  function submitStep(form) {
    var verb = form.getAttribute("data-verb");
    clearErrors(form);
    var button = form.querySelector("button[type=submit]");
    button.setAttribute("aria-busy", "true");
    post(current.extendedProps.reference, verb, new FormData(form)).then(function (answer) {
      button.removeAttribute("aria-busy");
      if (!answer.ok) { showErrors(form, answer.body); return; }
      dialog.close();
      say(answer.body.message);
      calendar.refetchEvents();
    }).catch(function () {
      button.removeAttribute("aria-busy");
      showErrors(form, { message: config.words.failed });
    });
  }

  function dropped(info) {
    var data = new FormData();
    data.append("starts_at", info.event.startStr);
    data.append("notify", "1");
    post(info.event.extendedProps.reference, "move", data).then(function (answer) {
      if (!answer.ok) {
        info.revert();
        say(answer.body.message || config.words.failed);
        return;
      }
      say(answer.body.message);
      calendar.refetchEvents();
    }).catch(function () { info.revert(); say(config.words.failed); });
  }

  // FullCalendar's arrow icons are role="img" without a name inside buttons that have one:
  // hide them from assistive technology (axe: role-img-alt).
  function quietIcons() {
    document.querySelectorAll("#calendar .fc-icon[role=img]").forEach(function (icon) {
      icon.removeAttribute("role");
      icon.setAttribute("aria-hidden", "true");
    });
  }

  function phoneView(view) {
    if (window.matchMedia && window.matchMedia("(max-width: 640px)").matches && view === "timeGridWeek") {
      return "listWeek";
    }
    return view;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var el = document.getElementById("calendar");
    var script = document.getElementById("calendar-config");
    if (!el || !script || typeof FullCalendar === "undefined") return;
    config = JSON.parse(script.textContent);
    dialog = document.getElementById("appt-dialog");
    calendar = new FullCalendar.Calendar(el, {
      timeZone: "UTC",
      now: config.now,
      locale: config.locale,
      initialView: phoneView(config.view),
      initialDate: config.date,
      headerToolbar: { left: "prev,next today", center: "title", right: "dayGridMonth,timeGridWeek,timeGridDay,listWeek" },
      height: "auto",
      nowIndicator: true,
      firstDay: 1,
      slotMinTime: "07:00:00",
      slotMaxTime: "21:00:00",
      allDaySlot: false,
      editable: true,
      eventDurationEditable: false,
      eventStartEditable: true,
      dayMaxEvents: true,
      events: function (info, success, failure) {
        var params = new URLSearchParams({ start: info.startStr, end: info.endStr });
        if (config.staff) params.set("staff", config.staff);
        if (config.pending) params.set("pending", "1");
        fetch(config.events + "?" + params.toString(), { credentials: "same-origin", headers: { "Accept": "application/json" } })
          .then(function (r) { return r.json(); })
          .then(function (rows) {
            rows.forEach(function (row) { row.url = url(config.booking, row.extendedProps.reference); });
            success(rows);
          })
          .catch(failure);
      },
      eventClick: function (info) {
        info.jsEvent.preventDefault();
        open(info.event);
      },
      eventDrop: dropped,
      datesSet: quietIcons
    });
    calendar.render();
    quietIcons();

    dialog.querySelectorAll("[data-step]").forEach(function (button) {
      button.addEventListener("click", function () { showStep(button.getAttribute("data-step")); });
    });
    dialog.querySelectorAll("[data-back]").forEach(function (button) {
      button.addEventListener("click", function () { showStep(""); });
    });
    dialog.querySelectorAll("[data-close]").forEach(function (button) {
      button.addEventListener("click", function () { dialog.close(); });
    });
    dialog.querySelectorAll("[data-toggles]").forEach(function (box) {
      box.addEventListener("change", function () {
        document.getElementById(box.getAttribute("data-toggles")).hidden = !box.checked;
      });
    });
    dialog.querySelectorAll(".appt-step").forEach(function (form) {
      form.addEventListener("submit", function (event) { event.preventDefault(); submitStep(form); });
    });
  });
})();
