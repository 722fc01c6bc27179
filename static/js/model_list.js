"use strict";
// Phones: start with the filters folded so results come first.
if (window.matchMedia("(max-width: 900px)").matches) {
  document.querySelector(".filters details").open = false;
}
// Leave empty fields out of the request, so pushed URLs carry only the filters in use.
document.body.addEventListener("htmx:configRequest", function (e) {
  var fd = e.detail.formData;
  if (!fd) { return; }
  var empty = [];
  fd.forEach(function (value, key) { if (value === "") { empty.push(key); } });
  empty.forEach(function (key) { fd.delete(key); });
});
