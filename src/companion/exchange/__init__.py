"""Exchange with analysis software in the other direction: coded projects coming back."""

from companion.exchange.qdpx_import import ImportResult, import_qdpx, plan_import, write_import

__all__ = ["ImportResult", "import_qdpx", "plan_import", "write_import"]
