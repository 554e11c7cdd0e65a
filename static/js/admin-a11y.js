/* Names for the admin's autocomplete boxes (select2), which screen readers otherwise announce
   without one: each box takes the name of the select it stands for (its <label>, or the
   aria-label the register gives inline fields). Also keeps select2's "clear all" cross inside
   a list item, as a list may hold nothing else. Runs after the admin has set the boxes up (on
   load) and for every inline row added. The page works the same without it. */
"use strict";
(function() {
    function nameOf(select) {
        if (select.getAttribute("aria-label")) {
            return select.getAttribute("aria-label");
        }
        const label = select.id && document.querySelector('label[for="' + select.id + '"]');
        return label ? label.textContent.replace(/[:\s]+$/, "").trim() : "";
    }

    function wrapClear(box) {
        box.querySelectorAll("ul > .select2-selection__clear").forEach(function(cross) {
            const item = document.createElement("li");
            item.className = "select2-clear-item";
            cross.replaceWith(item);
            item.appendChild(cross);
        });
    }

    // An element holding the box's name, for aria-labelledby: select2 names its box by the
    // choice shown, which is empty until something is chosen.
    function nameElement(select, name) {
        const id = select.id + "-box-name";
        let element = document.getElementById(id);
        if (!element) {
            element = document.createElement("span");
            element.id = id;
            element.hidden = true;
            element.textContent = name;
            select.parentNode.insertBefore(element, select);
        }
        return id;
    }

    function label(root) {
        root.querySelectorAll("select.admin-autocomplete").forEach(function(select) {
            const box = select.nextElementSibling;
            const name = nameOf(select);
            if (!box || !box.classList.contains("select2") || !name || !select.id) {
                return;
            }
            const nameId = nameElement(select, name);
            box.querySelectorAll(".select2-selection").forEach(function(combobox) {
                const shown = combobox.querySelector(".select2-selection__rendered[id]");
                combobox.setAttribute("aria-labelledby", shown ? nameId + " " + shown.id : nameId);
            });
            box.querySelectorAll(".select2-selection__rendered[role='textbox']").forEach(function(shown) {
                shown.setAttribute("aria-label", name);
            });
            box.querySelectorAll(".select2-search__field").forEach(function(field) {
                field.setAttribute("aria-label", name);
            });
            wrapClear(box);
        });
    }

    // The admin sets the boxes up when jQuery is ready, redraws them on every choice and adds
    // them with every inline row: name them whenever the page changes.
    let pending = false;
    function labelSoon() {
        if (pending) {
            return;
        }
        pending = true;
        window.setTimeout(function() {
            pending = false;
            label(document);
            const selects = document.querySelectorAll(
                "select.admin-autocomplete:not([name*='__prefix__'])"
            );
            const named = Array.from(selects).every(function(select) {
                return document.getElementById(select.id + "-box-name");
            });
            document.documentElement.dataset.boxesNamed = named ? "true" : "false";
        }, 0);
    }

    document.addEventListener("DOMContentLoaded", function() {
        new MutationObserver(function(records) {
            const boxes = records.some(function(record) {
                return Array.from(record.addedNodes).some(function(node) {
                    return node.nodeType === 1 && node.matches(".select2, .select2 *, .select2-selection__choice");
                });
            });
            if (boxes) {
                labelSoon();
            }
        }).observe(document.body, {childList: true, subtree: true});
        labelSoon();
    });
})();
