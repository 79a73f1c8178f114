"""Import and export of the reference tables (Excel .xlsx, CSV, GeoJSON; the guide also
Word .docx), Qt-free.

:mod:`.layout` says per table which columns a duty room's workbook has (Chinese headers from
the shared field declarations) and which natural key matches a row to a record;
:mod:`.importer` previews a file row by row and applies it as one write batch;
:mod:`.exporter` writes a table (or a blank template) back in the same layout.
"""
