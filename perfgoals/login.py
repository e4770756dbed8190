"""The login forms (the site's and the admin's): Django's, with usernames no account can have refused
before anything is asked."""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm


class _PossibleUsernames:
    """Django sets the username field's max_length without checking it, so an overlong name reached
    authenticate() and django-axes, whose record of the failed attempt holds 255 characters: on
    PostgreSQL the login page failed. A name too long, an empty name or password, or one with characters
    the field refuses is answered like any wrong name (the page shows that message, not the fields'),
    without a query and without counting as an attempt."""

    def clean(self):
        username = self.cleaned_data.get("username")
        if not username or len(username) > self.fields["username"].max_length or not self.cleaned_data.get("password"):
            raise self.get_invalid_login_error()
        return super().clean()


class LoginForm(_PossibleUsernames, AuthenticationForm):
    pass


class AdminLoginForm(_PossibleUsernames, AdminAuthenticationForm):
    pass
