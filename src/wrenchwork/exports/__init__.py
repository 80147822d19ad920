"""Lists as CSV or XLSX files, in the columns an import reads back (docs/import.md, Export)."""
