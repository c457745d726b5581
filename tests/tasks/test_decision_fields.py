"""Every decision a task asks for (approve or return, extend or escalate, give more time or close) opens on an empty
choice: one tap cannot approve unseen work. Sent empty, it is refused with a message that names the field (the page
shows it as "Quyết định: Hãy chọn một quyết định.", see tests/inspections/test_task_pages.py)."""

import re

import pytest
from werkzeug.datastructures import MultiDict

from inspect_app.inspections.forms import ConclusionForm, EscalationForm
from inspect_app.par.forms import ApprovalForm
from inspect_app.tasks.forms import ExtendOrEscalateForm, ReviewForm

DECISION_FORMS = [ReviewForm, ExtendOrEscalateForm, ConclusionForm, EscalationForm, ApprovalForm]


@pytest.mark.parametrize("form_class", DECISION_FORMS, ids=lambda form_class: form_class.__name__)
def test_no_decision_is_chosen_beforehand(app, form_class):
    with app.test_request_context():
        html = str(form_class(formdata=None, meta={"csrf": False}).decision())

    options = re.findall(r'<option([^>]*)value="([^"]*)">([^<]*)<', html)
    assert [(value, text) for _attrs, value, text in options[:1]] == [("", "Chọn quyết định")], "an empty choice first"
    assert len(options) == 3, "then the two decisions"
    assert not any("selected" in attrs for attrs, _value, _text in options), "so the list shows the empty one"


@pytest.mark.parametrize("form_class", DECISION_FORMS, ids=lambda form_class: form_class.__name__)
@pytest.mark.parametrize("sent", [{"decision": ""}, {}], ids=["empty", "missing"])
def test_a_decision_sent_empty_is_refused_naming_the_field(app, form_class, sent):
    with app.test_request_context():
        form = form_class(formdata=MultiDict({"reason": "Đơn vị xin thêm thời gian", **sent}), meta={"csrf": False})
        assert not form.validate()
        assert form.errors["decision"] == ["Hãy chọn một quyết định."]
