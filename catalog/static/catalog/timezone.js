// The editor's time zone for the admin: the browser's IANA zone in the catalog_tz cookie, which the
// server reads to show and accept times in it (UTC beside). Set once; the schedule page can change it.
(function () {
  "use strict";
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  if (!zone || !/^[A-Za-z0-9_+\-\/]{1,64}$/.test(zone)) return;
  var set = function () {
    return document.cookie.split("; ").some(function (c) { return c.indexOf("catalog_tz=") === 0; });
  };
  if (set()) return;
  document.cookie = "catalog_tz=" + zone + "; path=/admin/; max-age=31536000; samesite=lax";
  // Shown once more in the new zone, so no time on the page is read in the wrong one.
  if (set()) window.location.reload();
})();
