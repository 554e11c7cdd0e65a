'use strict';
/* An admin autocomplete that carries other fields of its form into its searches
   (``common.admin.ForwardingAutocompleteSelect``): its ``data-forward`` names them, each sent
   under its own name beside Django's parameters, so that a partner's subdivision is searched
   among those of the country chosen beside it. When one of those fields changes while a choice
   is made, the box asks its own search, under the new values, for the key chosen, and keeps
   the choice only where the answer holds it: a subdivision of the country chosen before, or
   one chosen before any country among every country's, is cleared where it does not lie in
   the country now chosen (the form would refuse it), and kept where it does. Loaded after
   Django's admin/js/autocomplete.js, whose djangoAdminSelect2 it extends; the other
   autocompletes are started as Django starts them. */
{
    const $ = django.jQuery;
    const started = $.fn.djangoAdminSelect2;

    // The field ``name`` of the same form (and of the same inline row, by its prefix).
    function sibling(element, name) {
        const own = element.dataset.fieldName;
        const prefix = element.name.slice(0, element.name.length - own.length);
        return element.form ? element.form.elements.namedItem(prefix + name) : null;
    }

    // What a search of the box sends: Django's parameters and each field it carries.
    function searched(element, names, params) {
        const data = {
            term: params.term,
            page: params.page,
            app_label: element.dataset.appLabel,
            model_name: element.dataset.modelName,
            field_name: element.dataset.fieldName
        };
        names.forEach((name) => {
            const field = sibling(element, name);
            if (field && field.value) {
                data[name] = field.value;
            }
        });
        return data;
    }

    // Keep the choice of ``element`` only if its search, as the fields it carries now stand,
    // still offers it (asked by its key, which a search finds first); else clear it. An answer
    // that comes after the fields changed again is left for the later one; where none comes
    // (the network), the choice stays, for the form to refuse if it must.
    function recheck(element, names) {
        const chosen = element.value;
        if (!chosen) {
            return;
        }
        const data = searched(element, names, {term: chosen});
        const asked = JSON.stringify(data);
        element.dataset.forwardAsked = asked;
        $.ajax({url: element.getAttribute('data-ajax--url'), data: data, dataType: 'json'})
            .done((answer) => {
                if (element.dataset.forwardAsked !== asked || element.value !== chosen) {
                    return;
                }
                const results = answer.results || [];
                if (!results.some((result) => String(result.id) === chosen)) {
                    $(element).val(null).trigger('change');
                }
            });
    }

    function forwarding(element) {
        const names = element.dataset.forward.split(' ').filter(Boolean);
        $(element).select2({
            ajax: {
                data: (params) => searched(element, names, params)
            }
        });
        names.forEach((name) => {
            const field = sibling(element, name);
            if (!field) {
                return;
            }
            let before = field.value;
            $(field).on('change', () => {
                if (field.value !== before) {
                    recheck(element, names);
                }
                before = field.value;
            });
        });
    }

    $.fn.djangoAdminSelect2 = function() {
        started.call(this.not('[data-forward]'));
        this.filter('[data-forward]').each((i, element) => forwarding(element));
        return this;
    };
}
