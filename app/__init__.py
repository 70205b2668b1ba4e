"""Family Health Desk (家庭健康服务台): registers and follow-ups for village family-health officers."""

__version__ = "0.1.0"
