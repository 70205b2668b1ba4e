"""Start-up (issue 18): the dashboard counts its numbers once when the main window opens — not a second time
for its first show — and still counts afresh whenever the officer comes back to it."""

from __future__ import annotations

from app.ui.main_window import MainWindow
from app.ui.pages import dashboard


def test_the_dashboard_counts_once_at_start_and_again_when_shown_again(
    qtbot, ctx, small_village, monkeypatch
):
    counted = []
    real = dashboard.DashboardPage.refresh
    monkeypatch.setattr(
        dashboard.DashboardPage, "refresh", lambda self, *a: counted.append(1) or real(self, *a)
    )
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitExposed(window)
    assert len(counted) == 1
    window.show_page("households")
    window.show_page("dashboard")
    assert len(counted) == 2
