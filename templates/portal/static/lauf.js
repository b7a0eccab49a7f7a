// The progress page of long work: reload its status region every two seconds until the work is
// done. Without scripts the page offers a link that does the same by hand.
(function () {
  "use strict";
  var region = document.getElementById("lauf-inhalt");
  if (!region || region.getAttribute("data-offen") !== "ja") return;
  function poll() {
    fetch(window.location.pathname, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) { return response.ok ? response.text() : null; })
      .then(function (text) {
        if (text === null) return;
        var fresh = new DOMParser().parseFromString(text, "text/html").getElementById("lauf-inhalt");
        if (!fresh) return;
        region.replaceChildren.apply(region, Array.prototype.slice.call(fresh.childNodes));
        if (fresh.getAttribute("data-offen") === "ja") window.setTimeout(poll, 2000);
        else region.setAttribute("data-offen", "nein");
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
