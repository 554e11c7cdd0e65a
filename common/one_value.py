"""A parameter of one value, given once.

A query string or a form may name a parameter several times (``?region=64.72&region=``).
Django's ``QueryDict.get`` and a form field of one value read the last of them and drop the
others, so a link that repeats one listed something else than it says, with no word why: the
whole register for ``?region=64.72&region=``. Every reader of a parameter of one value reads it
here, or through ``OneValueEach`` in a form, and a second value is refused, whatever the values
(the same twice, one of them empty): which one was meant is not for the site to guess.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

ONE_VALUE_ONLY = _("Isian ini menerima satu nilai saja, tetapi diberi %(count)s nilai: pilih satu.")


def one_value(data, name, default=""):
    """The value ``data`` (a ``QueryDict``, or a plain mapping) gives ``name``, ``default`` when
    it gives none; ``ValidationError`` (``ONE_VALUE_ONLY``) when it gives more than one."""
    if hasattr(data, "getlist"):
        values = data.getlist(name)
    else:
        values = [data[name]] if name in data else []
    if len(values) > 1:
        raise ValidationError(ONE_VALUE_ONLY, code="repeated", params={"count": len(values)})
    return values[0] if values else default


class OneValueEach:
    """A form mixin: each field of one value (any whose widget does not select several) given
    more than once is refused at that field, by ``one_value``, in place of whatever its last
    value alone was refused for."""

    def clean(self):
        cleaned = super().clean()
        for name, field in self.fields.items():
            if getattr(field.widget, "allow_multiple_selected", False):
                continue
            try:
                one_value(self.data, self.add_prefix(name))
            except ValidationError as refused:
                self.errors.pop(name, None)
                self.add_error(name, refused)
        return cleaned
