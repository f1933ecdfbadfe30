/* After a form was sent back with errors, take the reader to the list of errors: focus moves to the
   summary, which is announced (role=alert) and links each error to its field. Served from 'self', as
   the Content-Security-Policy allows; the page works the same without it (the summary comes first). */
document.addEventListener("DOMContentLoaded", function () {
  var summary = document.querySelector("[data-error-summary]");
  if (summary) {
    summary.focus();
  }
});
