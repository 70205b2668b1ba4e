"""Family Health Desk (家庭健康服务台): registers and follow-ups for village family-health officers."""

from __future__ import annotations


def __getattr__(name: str) -> str:
    """`app.__version__`: the version of pyproject.toml (app.version.app_version), read when first asked."""
    if name == "__version__":
        from app.version import app_version

        return app_version()
    raise AttributeError(f"module 'app' has no attribute {name!r}")
