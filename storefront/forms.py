"""The base of every form in the shop: Flask-WTF's FlaskForm, reading JSON safely.

Flask-WTF takes a JSON body as form data, which lets a client send what no HTML form
can: numbers, lists, objects, null. WTForms fields expect strings and fail with a 500
on anything else. Here a JSON body becomes form data the HTML way: strings stay,
numbers become their text, a list of those is several values, and anything else (null,
true/false, objects, a body that is not an object) is left out, so the form's own
validation answers it with its message and a 400.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_wtf import FlaskForm
from werkzeug.datastructures import CombinedMultiDict, ImmutableMultiDict

_SUBMIT_METHODS = {"POST", "PUT", "PATCH", "DELETE"}  # Flask-WTF's idea of "submitted"


def _as_text(value: Any) -> str | None:
    if isinstance(value, str):
        return value if "\x00" not in value else None  # see security.refuse_nul_characters
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


def json_form_data(data: Any) -> ImmutableMultiDict:
    pairs: list[tuple[str, str]] = []
    if isinstance(data, dict):
        for key, value in data.items():
            values = value if isinstance(value, list) else [value]
            pairs.extend((key, text) for text in map(_as_text, values) if text is not None)
    return ImmutableMultiDict(pairs)


class Form(FlaskForm):
    class Meta(FlaskForm.Meta):
        def wrap_formdata(self, form, formdata):
            # Explicit form data (None, or a MultiDict) is taken as given.
            if formdata is None or hasattr(formdata, "getlist"):
                return formdata
            if request.method not in _SUBMIT_METHODS:
                return None
            if request.files:
                return CombinedMultiDict((request.files, request.form))
            if request.form:
                return request.form
            if request.is_json:
                return json_form_data(request.get_json(silent=True))
            return None
