// Signature items: draw on the canvas; each stroke turns the drawing into a PNG in the item's file input, so the
// form sends it like a chosen file. Without JavaScript the file input alone is there.
(function () {
  function setUp(canvas) {
    if (canvas.dataset.ready) return;
    canvas.dataset.ready = "1";
    var input = document.getElementById(canvas.dataset.for);
    if (!input || typeof DataTransfer === "undefined") return;
    canvas.hidden = false;
    var ctx = canvas.getContext("2d");
    ctx.lineWidth = 2; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    ctx.fillStyle = "#fff"; ctx.fillRect(0, 0, canvas.width, canvas.height);
    var drawing = false;
    function at(e) {
      var r = canvas.getBoundingClientRect();
      return [(e.clientX - r.left) * canvas.width / r.width, (e.clientY - r.top) * canvas.height / r.height];
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; canvas.setPointerCapture(e.pointerId);
      var p = at(e); ctx.beginPath(); ctx.moveTo(p[0], p[1]);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return; var p = at(e); ctx.lineTo(p[0], p[1]); ctx.stroke();
    });
    canvas.addEventListener("pointerup", function () {
      drawing = false;
      var data = atob(canvas.toDataURL("image/png").split(",")[1]);
      var bytes = new Uint8Array(data.length);
      for (var i = 0; i < data.length; i++) bytes[i] = data.charCodeAt(i);
      var files = new DataTransfer();
      files.items.add(new File([bytes], "signature.png", { type: "image/png" }));
      input.files = files.files;
    });
  }
  function all() { document.querySelectorAll("canvas.signature").forEach(setUp); }
  document.addEventListener("DOMContentLoaded", all);
  document.addEventListener("htmx:load", all);
})();
