"""`tag()` and `due()`, the template functions every table row calls: escaped text, GOV.UK
tag markup."""

from __future__ import annotations

from datetime import date

from markupsafe import Markup

from web.admin import Tag
from web.templating import _due, _tag


def test_a_tag_escapes_its_words_and_classes():
    shown = _tag(Tag('<script>"x"</script>', "red"), extra='a" onclick="b')
    assert isinstance(shown, Markup)
    assert shown == (
        '<strong class="govuk-tag govuk-tag--red a&#34; onclick=&#34;b">'
        "&lt;script&gt;&#34;x&#34;&lt;/script&gt;</strong>"
    )
    assert _tag(None) == ""


def test_a_due_date_carries_its_tag():
    on = date(2026, 11, 4)
    assert _due(on, overdue=False, due_soon=False) == "4 November 2026"
    assert _due(on, overdue=False, due_soon=False, short=True) == "4 Nov 2026"
    overdue = _due(on, overdue=True, due_soon=False, short=True)
    assert overdue.startswith('4 Nov 2026 <strong class="govuk-tag')
    assert ">Overdue</strong>" in overdue
    assert ">Due soon</strong>" in _due(on, overdue=False, due_soon=True)
