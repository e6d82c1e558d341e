/* "Chia sẻ" buttons: fetch the file and hand it to the phone's share sheet (Web Share API with
   files: Zalo in two taps); where the browser cannot share files, the fetched file is saved.
   The fetch asks for the file itself (Accept: any), so even an export big enough to be a job
   for a person's browser comes at once; without fetch, the link downloads it. */
(function () {
  "use strict";
  if (window.TNShare) return;  // one handler, however many buttons include this script
  window.TNShare = true;
  document.addEventListener("click", function (e) {
    var link = e.target.closest && e.target.closest("a[data-share]");
    if (!link || !window.fetch || !window.File) return;  // the plain download
    e.preventDefault();
    var name = link.getAttribute("download"), title = link.getAttribute("data-share-title") || name;
    fetch(link.href, { credentials: "same-origin" }).then(function (r) {
      if (!r.ok) throw new Error(r.status);
      return r.blob();
    }).then(function (blob) {
      var file = new File([blob], name, { type: blob.type });
      if (navigator.canShare && navigator.canShare({ files: [file] })) return navigator.share({ files: [file], title: title });
      var a = document.createElement("a");
      a.href = URL.createObjectURL(blob);
      a.download = name;
      document.body.appendChild(a);
      a.click();
      setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 1000);
    }).catch(function (err) {
      if (err && err.name === "AbortError") return;  // the person closed the share sheet
      location.href = link.href;
    });
  });
})();
