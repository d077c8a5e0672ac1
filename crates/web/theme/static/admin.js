// Proposes a slug from the headline while the slug field has not been typed in.
// The server does the same when the field is left blank, so this is only a convenience.
(function () {
  var headline = document.getElementById("headline");
  var slug = document.getElementById("slug");
  if (!headline || !slug) return;
  var touched = slug.value !== "";
  slug.addEventListener("input", function () { touched = slug.value !== ""; });
  headline.addEventListener("input", function () {
    if (touched) return;
    slug.placeholder = headline.value.normalize("NFD").replace(/[\u0300-\u036f]/g, "")
      .toLowerCase().replace(/&/g, " and ").replace(/['’]/g, "")
      .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 80);
  });
})();
