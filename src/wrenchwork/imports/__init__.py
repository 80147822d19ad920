"""Spreadsheet import (CSV, XLSX) of locations, assets, parts, vendors and users: docs/import.md."""
