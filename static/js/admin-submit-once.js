/* A change form is sent once: a second click on "Simpan" (a double click, or an impatient one
   while the page is on its way) is ignored until the page answers, so an add form does not
   record the same agreement twice. Only the admin's add and change forms: a list's action
   form may answer with a download and stay on its page. Shown again from the browser's
   history, the form may be sent again. The page works the same without it. */
"use strict";
(function() {
    function isChangeForm(form) {
        return document.body.classList.contains("change-form")
            && form.method.toLowerCase() === "post"
            && form.closest("#content-main") !== null;
    }

    document.addEventListener("submit", function(event) {
        const form = event.target;
        if (!isChangeForm(form) || event.defaultPrevented) {
            return;
        }
        if (form.dataset.sent === "yes") {
            event.preventDefault();
            return;
        }
        form.dataset.sent = "yes";
    });

    window.addEventListener("pageshow", function() {
        document.querySelectorAll("form[data-sent]").forEach(function(form) {
            delete form.dataset.sent;
        });
    });
})();
