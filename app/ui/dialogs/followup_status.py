"""Marking an open follow-up missed (reason optional) or cancelled (reason required)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QLineEdit, QWidget

from app.i18n import tr
from app.services import followups
from app.ui.context import AppContext
from app.ui.dialogs.base import FormDialog
from app.ui.labels import label
from app.vocab import FollowupStatus


class FollowupStatusDialog(FormDialog):
    """`status` is FollowupStatus.MISSED or FollowupStatus.CANCELLED. The service refuses a cancellation
    without a reason; the refusal shows under the reason field."""

    def __init__(
        self, ctx: AppContext, row: followups.FollowupRow, status: str, parent: QWidget | None = None
    ) -> None:
        cancelling = status == FollowupStatus.CANCELLED
        title_id = "followups.cancel_title" if cancelling else "followups.missed_title"
        super().__init__(tr(title_id, name=row.name, type=label("followup_type", row.followup_type)), parent)
        self.setObjectName("cancelFollowupDialog" if cancelling else "markMissedDialog")
        self.ctx, self.row, self.status = ctx, row, status
        hint = QLabel(tr("followups.cancel_hint" if cancelling else "followups.missed_hint"))
        hint.setWordWrap(True)
        hint.setObjectName("statusHint")
        self.form.addRow(hint)
        self.reason = self.add_field(
            "followups.reason" if cancelling else "followups.reason_optional", "reason", QLineEdit()
        )
        self.reason.setMaxLength(200)
        self.setMinimumWidth(self.fontMetrics().horizontalAdvance("M") * 40)

    def submit(self) -> None:
        followups.set_status(
            self.ctx.db,
            self.ctx.actor,
            self.row.id,
            self.status,
            self.reason.text(),
            self.ctx.today(),
            expected_rev=self.row.rev,
        )
