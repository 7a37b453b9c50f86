"""GOV.UK component macros rendered once per distinct set of parameters (web/templating.py):
the stored markup must be what the macro itself gives for those parameters."""

from __future__ import annotations

from markupsafe import Markup

from web import templating
from web.templating import _govuk, _govuk_markup


def _select(text: str | Markup, chosen: str) -> dict[str, object]:
    return {
        "label": {"text": "Owner", "classes": "govuk-label--s"},
        "id": "owner_org",
        "name": "owner_org",
        "items": [
            {"value": "", "text": text},
            {"value": "force", "text": "Force", "selected": chosen == "force"},
            {"value": "opcc", "text": "OPCC", "selected": chosen == "opcc"},
        ],
    }


def test_the_stored_markup_is_the_macros_own():
    for chosen in ("", "force", "opcc"):
        params = _select("Any owner", chosen)
        assert _govuk("select", params) == _govuk_markup("select", params)
        assert _govuk("select", params) == _govuk_markup("select", params)  # now stored
    assert 'value="opcc" selected' in _govuk("select", _select("Any owner", "opcc"))
    assert 'value="opcc" selected' not in _govuk("select", _select("Any owner", "force"))


def test_markup_and_text_that_read_alike_are_told_apart():
    escaped = _govuk("select", _select("<b>Any</b>", ""))
    trusted = _govuk("select", _select(Markup("<b>Any</b>"), ""))
    assert "&lt;b&gt;Any&lt;/b&gt;" in escaped
    assert "<b>Any</b>" in trusted


def test_true_and_one_are_told_apart():
    assert templating._frozen({"a": True}) != templating._frozen({"a": 1})


def test_a_parameter_that_cannot_be_a_key_still_renders():
    params = {"id": "q", "name": "q", "label": {"text": "Search"}, "value": "x"}
    params["attributes"] = {"data-set": set()}
    assert 'name="q"' in _govuk("input", params)
