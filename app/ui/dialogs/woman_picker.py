"""Choose a woman of reproductive age by typing her name, pinyin, initials or household number."""

from __future__ import annotations

from app.services import women
from app.ui.dialogs.person_picker import PersonPicker


class WomanPicker(PersonPicker):
    """The person picker searching the women aged 15–49; `chosen` is her WomanRow."""

    object_name = "womanPicker"
    texts = "picker"
    says_none = False
    initial_width = 460

    def matches(self, text: str) -> list[tuple[object, str]]:
        return [
            (w, self.row(w.name, w.age, w.birth_date, w.household_no, w.group_no))
            for w in women.list_women(self.ctx.db, self.ctx.today(), text=text)[:50]
        ]

    def chosen_from(self, kept: object) -> women.WomanRow:
        assert isinstance(kept, women.WomanRow)
        return kept
