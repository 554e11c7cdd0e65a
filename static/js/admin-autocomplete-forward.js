'use strict';
/* An admin autocomplete that carries other fields of its form into its searches
   (``common.admin.ForwardingAutocompleteSelect``): its ``data-forward`` names them, each sent
   under its own name beside Django's parameters, so that a partner's subdivision is searched
   among those of the country chosen beside it. Its choice is cleared when one of those fields
   is changed from one value to another: a subdivision of the country chosen before is no
   longer one of the partner's. Loaded after Django's admin/js/autocomplete.js, whose
   djangoAdminSelect2 it extends; the other autocompletes are started as Django starts them. */
{
    const $ = django.jQuery;
    const started = $.fn.djangoAdminSelect2;

    // The field ``name`` of the same form (and of the same inline row, by its prefix).
    function sibling(element, name) {
        const own = element.dataset.fieldName;
        const prefix = element.name.slice(0, element.name.length - own.length);
        return element.form ? element.form.elements.namedItem(prefix + name) : null;
    }

    function forwarding(element) {
        const names = element.dataset.forward.split(' ').filter(Boolean);
        $(element).select2({
            ajax: {
                data: (params) => {
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
            }
        });
        names.forEach((name) => {
            const field = sibling(element, name);
            if (!field) {
                return;
            }
            let before = field.value;
            $(field).on('change', () => {
                if (before && field.value !== before && element.value) {
                    $(element).val(null).trigger('change');
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
