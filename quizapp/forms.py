"""The base of every form: CSRF from Flask-WTF, WTForms' built-in messages in Chinese."""

from __future__ import annotations

from flask_wtf import FlaskForm


class BaseForm(FlaskForm):
    """A form whose built-in validation messages (invalid choice, date...) are Chinese."""

    class Meta:
        # WTForms ships zh translations; Flask-WTF's own i18n would need Flask-Babel, so
        # WTF_I18N_ENABLED is off and WTForms picks its translations from these locales.
        locales = ["zh"]
