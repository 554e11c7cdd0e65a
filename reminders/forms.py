"""The forms of following a selection: how often, and in which language, its changes are
mailed. Each refusal says what to choose, in the words the follow form under a list uses."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from common.one_value import OneValueEach

from . import follow
from .models import Language, Subscription

FREQUENCY_REFUSED = _("Pilih seberapa sering: harian atau mingguan.")
LANGUAGE_REFUSED = _("Pilih bahasa surel: Bahasa Indonesia atau English.")
NO_ADDRESS = _("Akun Anda belum memiliki alamat surel; minta administrator menambahkannya.")


class FollowSettingsForm(OneValueEach, forms.ModelForm):
    """How often and in which language one follow is mailed (its row on ``/ikuti/``), each
    given once (``OneValueEach``). A new language names the selection again in it, as
    following it again in that language does."""

    class Meta:
        model = Subscription
        fields = ["frequency", "language"]
        error_messages = {
            "frequency": {"required": FREQUENCY_REFUSED, "invalid_choice": FREQUENCY_REFUSED},
            "language": {"required": LANGUAGE_REFUSED, "invalid_choice": LANGUAGE_REFUSED},
        }

    def clean(self):
        cleaned = super().clean()
        if not self.instance.user.email:
            raise ValidationError(NO_ADDRESS)
        return cleaned

    def save(self, commit=True):
        subscription = super().save(commit=False)
        if "language" in self.changed_data:
            filterset = follow.selection_of(subscription.query, subscription.user)
            # Else a region or partner in it is gone, or it selects by what its reader may
            # select by no more (``AgreementFilter.withheld``): the name stays what they chose,
            # not the name of what is left.
            if filterset.is_valid() and not filterset.withheld:
                subscription.name = follow.name_of(filterset, subscription.language)
        if commit:
            subscription.save(update_fields=["frequency", "language", "name"])
        return subscription


class ReminderPreferenceForm(OneValueEach, forms.Form):
    """The reminders' language, and whether they are sent at all (the form behind the link in
    every reminder digest), each given once (``OneValueEach``): a language given twice was read
    as the last of them, and a tick sent as anything but the browser's ``on`` (``active=1``)
    stopped the reminders it asked for."""

    language = forms.ChoiceField(
        choices=Language.choices,
        error_messages={"required": LANGUAGE_REFUSED, "invalid_choice": LANGUAGE_REFUSED},
    )
    active = forms.BooleanField(required=False)
