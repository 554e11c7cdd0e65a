"""The login forms: the site's (``/accounts/login/``) and the admin's.

Django's login form tells the browser how long a user name may be but does not check it, so a
name of any length reached the authentication backends, and the lock-out's record of the failed
attempt (``django-axes``, 255 characters) refused it with a database error: a 500. Here a name
longer than any account's is refused as the form's field. Django's Indonesian message for a
wrong name or password doubles its words ("nama pengguna nama pengguna"): ours says it once.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _


class BoundedUserName:
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["username"]
        field.validators.append(MaxLengthValidator(field.max_length))


class LoginForm(BoundedUserName, AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah. Perhatikan huruf besar dan kecilnya."
        ),
    }


class AdminLoginForm(BoundedUserName, AdminAuthenticationForm):
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Nama pengguna atau kata sandi salah, atau akun ini bukan akun staf. Perhatikan "
            "huruf besar dan kecilnya."
        ),
    }
