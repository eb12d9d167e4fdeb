"""Bulk import of banks' loan books from CSV and XLSX files (issue 6).

`import_loans(app, path, mapping, bank=None, product=None, progress=None)` is the whole
import, callable without the command line; `riskledger import loans` wraps it.
"""

from ledger.bulk_import.importer import ImportSummary, default_report_path, import_loans
from ledger.bulk_import.mapping import LoanMapping, load_mapping, parse_mapping

__all__ = [
    "ImportSummary",
    "LoanMapping",
    "default_report_path",
    "import_loans",
    "load_mapping",
    "parse_mapping",
]
