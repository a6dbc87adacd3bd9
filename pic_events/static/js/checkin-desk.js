// The check-in desk (templates/documents/desk.html): scan a badge's QR code with the camera
// (html5-qrcode, vendored) or type its code; the API answers who it is and whether it is the
// first check-in. Without a connection, scans are kept in localStorage and sent when it is
// back (the API is idempotent by code); a repeat found while sending them is listed.
(function () {
  "use strict";

  var desk = document.getElementById("desk");
  if (!desk) {
    return;
  }
  var strings = JSON.parse(document.getElementById("desk-strings").textContent);
  var api = desk.dataset.api;
  var csrf = desk.dataset.csrf;
  var zone = desk.dataset.timezone;
  var queueKey = "pic-checkin-queue:" + desk.dataset.slug;
  var resultBox = document.getElementById("desk-result");
  var form = document.getElementById("desk-form");
  var input = document.getElementById("desk-code");
  var lastScan = { code: null, at: 0 };
  var syncing = false;
  var sentSinceOffline = false;

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) {
      node.className = className;
    }
    if (text !== undefined && text !== null) {
      node.textContent = text;
    }
    return node;
  }

  function clock(iso) {
    try {
      return new Intl.DateTimeFormat(undefined, {
        hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone
      }).format(new Date(iso));
    } catch (e) {
      return iso.substring(11, 16);
    }
  }

  function readQueue() {
    try {
      return JSON.parse(window.localStorage.getItem(queueKey) || "[]");
    } catch (e) {
      return [];
    }
  }

  function writeQueue(items) {
    window.localStorage.setItem(queueKey, JSON.stringify(items));
    showOffline();
  }

  function enqueue(code) {
    var items = readQueue();
    if (!items.some(function (item) { return item.code === code; })) {
      items.push({ code: code, scanned_at: new Date().toISOString() });
    }
    writeQueue(items);
  }

  function showOffline() {
    var count = readQueue().length;
    var box = document.getElementById("desk-offline");
    box.classList.toggle("d-none", count === 0 && navigator.onLine);
    document.getElementById("desk-queue-count").textContent =
      count ? strings.queued.replace("N", String(count)) : "";
  }

  function showCounts(data) {
    if (data.expected === undefined) {
      return;
    }
    document.getElementById("desk-counts").textContent = strings.counts
      .replace("DONE", String(data.checked_in)).replace("EXPECTED", String(data.expected));
  }

  function addRecent(registration) {
    var list = document.getElementById("desk-recent");
    var empty = document.getElementById("desk-recent-empty");
    if (empty) {
      empty.remove();
    }
    var item = el("li", "list-group-item d-flex justify-content-between");
    item.appendChild(el("span", "", registration.name));
    item.appendChild(el("span", "text-body-secondary", clock(registration.checked_in_at)));
    list.insertBefore(item, list.firstChild);
    while (list.children.length > 10) {
      list.removeChild(list.lastChild);
    }
  }

  function showResult(data) {
    var who = data.registration;
    var box = el("div", "alert desk-result mb-0 " + (data.first_scan ? "alert-success" : "alert-danger"));
    box.appendChild(el("div", "fs-4 fw-bold", data.first_scan ? strings.first
      : strings.already.replace("TIME", clock(who.checked_in_at))));
    box.appendChild(el("div", "fs-5", who.name));
    box.appendChild(el("div", "", [who.organisation, who.cluster, who.country]
      .filter(Boolean).join(" · ")));
    var line = el("div");
    line.appendChild(el("span", "badge text-bg-dark", who.category_label));
    line.appendChild(reprintForm(who.id));
    box.appendChild(line);
    resultBox.replaceChildren(box);
    if (data.first_scan) {
      addRecent(who);
    }
  }

  // Reprinting marks the badge as printed, so it is a POST with the page's CSRF token.
  function reprintForm(id) {
    var form = el("form", "d-inline");
    form.method = "post";
    form.action = desk.dataset.reprint.replace("id=ID", "id=" + id);
    var token = el("input");
    token.type = "hidden";
    token.name = "csrf_token";
    token.value = desk.dataset.csrf;
    form.appendChild(token);
    var button = el("button", "btn btn-link p-0 ms-2 align-baseline", strings.reprint);
    button.type = "submit";
    form.appendChild(button);
    return form;
  }

  function showError(message) {
    var box = el("div", "alert alert-danger desk-result mb-0");
    box.appendChild(el("div", "fs-5 fw-bold", message));
    resultBox.replaceChildren(box);
  }

  function showNotice(message) {
    var box = el("div", "alert alert-warning desk-result mb-0");
    box.appendChild(el("div", "fs-5", message));
    resultBox.replaceChildren(box);
  }

  // Posts one scan. Resolves to "done" (answered: checked in, repeat, unknown code) or
  // "offline" (no answer: keep it for later).
  function post(item) {
    return fetch(api, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf, "Accept": "application/json" },
      body: JSON.stringify(item)
    }).then(function (response) {
      if (response.status >= 500) {
        return { state: "offline" };
      }
      return response.json().then(function (data) {
        return { state: "done", ok: response.ok, data: data };
      }, function () {
        return { state: "offline" };
      });
    }, function () {
      return { state: "offline" };
    });
  }

  function checkIn(code) {
    code = code.replace(/\s+/g, "");
    if (!code) {
      return;
    }
    if (!navigator.onLine) {
      enqueue(code);
      showNotice(strings.saved_offline.replace("CODE", code));
      return;
    }
    post({ code: code }).then(function (outcome) {
      if (outcome.state === "offline") {
        enqueue(code);
        showNotice(strings.saved_offline.replace("CODE", code));
      } else if (outcome.ok) {
        showResult(outcome.data);
        showCounts(outcome.data);
      } else {
        showError(outcome.data.detail || outcome.data.title ||
          strings.error.replace("DETAIL", String(outcome.data.status)));
      }
      sync();
    });
  }

  function sync() {
    var items = readQueue();
    if (syncing || !items.length || !navigator.onLine) {
      showOffline();
      return;
    }
    sentSinceOffline = true;
    syncing = true;
    var item = items[0];
    post(item).then(function (outcome) {
      syncing = false;
      if (outcome.state === "offline") {
        showOffline();
        return;
      }
      writeQueue(readQueue().filter(function (other) { return other.code !== item.code; }));
      if (!readQueue().length && sentSinceOffline) {
        sentSinceOffline = false;
        if (resultBox.querySelector(".alert-warning")) {
          showNotice(strings.synced);
        }
      }
      if (outcome.ok) {
        showCounts(outcome.data);
        if (outcome.data.first_scan) {
          addRecent(outcome.data.registration);
        } else {
          reportRepeat(outcome.data.registration);
        }
      } else {
        reportRepeat(null, item.code + ": " + (outcome.data.detail || outcome.data.title));
      }
      sync();
    });
  }

  function reportRepeat(registration, text) {
    document.getElementById("desk-repeats-box").classList.remove("d-none");
    var line = text || strings.repeat.replace("NAME", registration.name)
      .replace("TIME", clock(registration.checked_in_at));
    document.getElementById("desk-repeats").appendChild(el("li", "list-group-item list-group-item-warning", line));
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    checkIn(input.value);
    input.value = "";
    input.focus();
  });

  // Camera: needs a secure context (HTTPS or localhost).
  var start = document.getElementById("desk-camera-start");
  var stop = document.getElementById("desk-camera-stop");
  var cameraError = document.getElementById("desk-camera-error");
  var scanner = null;
  if (!window.isSecureContext || !navigator.mediaDevices || !window.Html5Qrcode) {
    document.getElementById("desk-insecure").classList.remove("d-none");
  } else {
    start.classList.remove("d-none");
    start.addEventListener("click", function () {
      scanner = scanner || new window.Html5Qrcode("desk-reader");
      scanner.start({ facingMode: "environment" }, { fps: 10, qrbox: 220 }, function (text) {
        var now = Date.now();
        if (text === lastScan.code && now - lastScan.at < 4000) {
          return; // the same badge still in front of the camera
        }
        lastScan = { code: text, at: now };
        checkIn(text);
      }).then(function () {
        start.classList.add("d-none");
        stop.classList.remove("d-none");
        cameraError.textContent = "";
      }, function (error) {
        cameraError.textContent = strings.camera_error.replace("DETAIL", String(error));
      });
    });
    stop.addEventListener("click", function () {
      if (scanner) {
        scanner.stop().then(function () {
          stop.classList.add("d-none");
          start.classList.remove("d-none");
        });
      }
    });
  }

  window.addEventListener("online", sync);
  window.addEventListener("offline", showOffline);
  window.setInterval(sync, 15000);
  sync();
})();
